"""What the route modules share: roles, tags, the read cache around public reads."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web

from registration.deps import DEPS
from shared.auth import Role
from shared.http.keys import POOL
from shared.http.problems import ProblemError, not_found

T = TypeVar("T")

ADMIN = (Role.ADMINISTRATEUR,)
WINDOW_STAFF = (Role.GESTIONNAIRE, Role.ADMINISTRATEUR)
REFERENTIEL = ("référentiel",)
OUVERTURES = ("ouvertures",)
# Set on a request whose transaction changed what the public reads show.
CHANGED = web.RequestKey("registration_referentiel_changed", bool)


def candidature_id(request: web.Request) -> uuid.UUID:
    """The `{id}` of a candidature route: a UUID, or no candidature at all (404)."""
    try:
        return uuid.UUID(request.match_info["id"])
    except ValueError:
        raise not_found(f"Candidature {request.match_info['id'][:40]}") from None


def if_match(request: web.Request) -> int | None:
    """`If-Match: "3"` (a weak `W/"3"` or a bare `3` too): the version the caller acts on."""
    value = request.headers.get("If-Match")
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 6:
        raise ProblemError(412, "version-mismatch", "Precondition failed", 'If-Match: "<version>"')
    return int(text)


async def _read(request: web.Request, query: Callable[..., Awaitable[T]], *args: Any) -> T:
    async with request.app[POOL].acquire() as conn:
        return await query(conn, *args)


async def public(request: web.Request, query: Callable[..., Awaitable[T]], *args: Any) -> T:
    """A public read, served from the read cache when it is fresh: hot, so it takes a
    connection only on a miss and opens no transaction (one statement)."""
    found: T = await request.app[DEPS].read_cache.get(
        (query.__name__, args), lambda: _read(request, query, *args)
    )
    return found


def referentiel_changed(request: web.Request) -> None:
    """Clear this replica's read cache once the request's transaction has committed (clearing
    inside it would let a concurrent read cache the old state again until the TTL)."""
    request[CHANGED] = True


async def clear_cache_after_change(request: web.Request, response: web.StreamResponse) -> None:
    """`on_response_prepare`: the response is prepared after the transaction committed."""
    if request.get(CHANGED):
        request.app[DEPS].read_cache.clear()
