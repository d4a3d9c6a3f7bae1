"""A service's read-only mode: while it is on, every request but a read (GET, HEAD, OPTIONS),
the health and metrics routes and the switch itself answers 503 `read-only` with Retry-After.

The state is one row of the service's own database (table `read_only_mode`, created by the
service's migration: registration's 009), so every replica agrees; each process reads it at
most once a second, and only for a write. A service without the table never is read-only.
"""

from __future__ import annotations

import asyncio
import logging
import time

import asyncpg
from aiohttp import web
from aiohttp.typedefs import Handler

from shared.http.keys import POOL
from shared.http.problems import ProblemError

log = logging.getLogger(__name__)

SWITCH_PATH = "/api/v1/admin/read-only"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXEMPT_PREFIXES = ("/health/", "/metrics")
REFRESH_S = 1.0
RETRY_AFTER_S = 60


class ReadOnlyFlag:
    """The last state read, refreshed at most every `REFRESH_S` seconds."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._read_at = float("-inf")
        self._absent = False
        self.enabled = False
        self.reason: str | None = None

    def invalidate(self) -> None:
        """This replica reads the row again at its next write (the switch's own replica)."""
        self._read_at = float("-inf")

    async def current(self, pool: asyncpg.Pool) -> bool:
        if self._absent or time.monotonic() - self._read_at < REFRESH_S:
            return self.enabled
        async with self._lock:
            if time.monotonic() - self._read_at >= REFRESH_S:
                await self._read(pool)
        return self.enabled

    async def _read(self, pool: asyncpg.Pool) -> None:
        try:
            async with pool.acquire() as conn:
                row = await conn.fetchrow("SELECT enabled, reason FROM read_only_mode")
        except asyncpg.UndefinedTableError:
            self._absent = True
            return
        self.enabled = bool(row and row["enabled"])
        self.reason = row["reason"] if row else None
        self._read_at = time.monotonic()


READ_ONLY = web.AppKey("read_only", ReadOnlyFlag)


def _exempt(request: web.Request) -> bool:
    path = request.path
    return (
        request.method in SAFE_METHODS
        or path == SWITCH_PATH
        or path.startswith(EXEMPT_PREFIXES)
        or POOL not in request.app
        or READ_ONLY not in request.app
    )


@web.middleware
async def read_only_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if _exempt(request):
        return await handler(request)
    flag = request.app[READ_ONLY]
    if await flag.current(request.app[POOL]):
        detail = "The service is read-only for now: reads go on, try this change later"
        if flag.reason:
            detail = f"{detail} ({flag.reason})"
        raise ProblemError(
            503,
            "read-only",
            "Read-only",
            detail,
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    return await handler(request)
