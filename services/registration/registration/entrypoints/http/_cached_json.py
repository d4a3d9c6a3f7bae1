"""Public reads answered from the read cache as JSON serialised once per cache entry: a hit
costs neither a query nor building and serialising models, only the response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from pydantic import TypeAdapter

from registration.deps import DEPS
from shared.http.keys import POOL

_adapters: dict[Any, TypeAdapter[Any]] = {}


def adapter(response: Any) -> TypeAdapter[Any]:
    """One adapter per response type (building one costs far more than using it)."""
    if response not in _adapters:
        _adapters[response] = TypeAdapter(response)
    return _adapters[response]


def json_response(body: bytes) -> web.Response:
    """What `shared.http.api.to_response` answers for a model: the same headers."""
    return web.Response(body=body, content_type="application/json", charset="utf-8")


async def cached_json(
    request: web.Request, response: Any, query: Callable[..., Awaitable[Any]], *args: Any
) -> bytes | None:
    """`query(conn, *args)` serialised as `response` (the endpoint's response type), through
    the read cache; None when the query found nothing. A connection is taken only on a miss,
    for one statement, without a transaction (as `_common.public`). Cached under its own key,
    apart from the models `public(request, query, …)` caches for other callers."""
    cache = request.app[DEPS].read_cache

    async def load() -> bytes | None:
        async with request.app[POOL].acquire() as conn:
            found = await query(conn, *args)
        return None if found is None else adapter(response).dump_json(found)

    body: bytes | None = await cache.get(("json", query.__name__, args), load)
    return body
