"""The services' public HTTP APIs, as the portal calls them.

Every call either returns the decoded JSON, or raises: `BackendDown` (refused, timed out, 5xx),
`NotSignedIn` (401: the tokens are no longer honoured), `ApiProblem` (another 4xx)."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from portal.domain.errors import ApiProblem, BackendDown, NotSignedIn
from shared.http.read_cache import ReadCache
from shared.logging import current_correlation_id

Json = Any
# The candidate's address, set per request by the pages: the services see it as the client's
# (accounts throttles logins per client; without it every candidate would share the portal's).
CLIENT_ADDRESS: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "portal_client_address", default=None
)


class Backend:
    def __init__(
        self, name: str, base_url: str, http: aiohttp.ClientSession, cache: ReadCache
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._http = http
        self._cache = cache

    async def public(self, path: str, params: Mapping[str, str] | None = None) -> Json:
        """An anonymous GET of what is the same for everyone (the référentiel, the
        announcements), kept for the cache's TTL: a page no longer waits for it."""
        key = (self.name, path, tuple(sorted((params or {}).items())))
        return await self._cache.get(key, lambda: self.call("GET", path, params=params))

    async def call(self, method: str, path: str, **options: Any) -> Json:
        """The decoded JSON answer; `options` are those of `open`."""
        async with self.open(method, path, **options) as response:
            if response.status == 204:
                return None
            return await response.json(content_type=None)

    @asynccontextmanager
    async def open(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Json = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """The response, once known to be a success (streamed downloads read it themselves)."""
        sent = {**(headers or {}), **_common_headers(token)}
        try:
            async with self._http.request(
                method, self.base_url + path, json=json, params=params, headers=sent, data=data
            ) as response:
                await _raise_for(self.name, response, signed=token is not None)
                yield response
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, TimeoutError) as exc:
            raise BackendDown(self.name) from exc


def _common_headers(token: str | None) -> dict[str, str]:
    headers = {"Accept": "application/json, application/problem+json, application/pdf, */*"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if correlation_id := current_correlation_id():
        headers["X-Correlation-ID"] = correlation_id
    if client := CLIENT_ADDRESS.get():
        headers["X-Forwarded-For"] = client
    return headers


async def _raise_for(name: str, response: aiohttp.ClientResponse, *, signed: bool) -> None:
    if response.status < 400:
        return
    if response.status >= 500:
        raise BackendDown(name)
    if response.status == 401 and signed:  # a login's own 401 is a wrong password
        raise NotSignedIn()
    try:
        body = await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        body = {}
    raise ApiProblem(response.status, body if isinstance(body, dict) else {})


class Backends:
    """The four services the portal talks to, sharing one connection pool."""

    def __init__(
        self, http: aiohttp.ClientSession, urls: Mapping[str, str], cache: ReadCache
    ) -> None:
        self.accounts = Backend("accounts", urls["accounts"], http, cache)
        self.registration = Backend("registration", urls["registration"], http, cache)
        self.documents = Backend("documents", urls["documents"], http, cache)
        self.uploads = Backend("uploads", urls["uploads"], http, cache)


async def gather_optional(*calls: Any) -> list[Any]:
    """Calls whose failure leaves its part of the page empty (announcements, say)."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    return [None if isinstance(r, BaseException) else r for r in results]
