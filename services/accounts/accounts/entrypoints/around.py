"""Work an endpoint does outside its transaction (`Endpoint(around=...)`), holding no pooled
connection: hashing a new password (an Argon2 slot may have to be waited for) and the answer
floor (a sleep) must not keep a connection from other requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from accounts.deps import DEPS


@asynccontextmanager
async def hashed_password(
    request: web.Request, body: Any, **_: Any
) -> AsyncIterator[dict[str, str]]:
    """The handler gets `password_hash`, computed before anything is looked at: a taken email
    costs the same work as a new one."""
    yield {"password_hash": await request.app[DEPS].hasher.hash(body.password)}


@asynccontextmanager
async def answer_floor(request: web.Request, **_: Any) -> AsyncIterator[dict[str, str]]:
    """No answer before the floor has passed: the few inserts a known email costs (a token, an
    event) would otherwise show in the response time. Errors (validation…) are not held."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    yield {}
    remaining = request.app[DEPS].answer_floor_s - (loop.time() - started)
    if remaining > 0:
        await asyncio.sleep(remaining)


@asynccontextmanager
async def hashed_behind_floor(
    request: web.Request, body: Any, **_: Any
) -> AsyncIterator[dict[str, str]]:
    async with answer_floor(request), hashed_password(request, body) as prepared:
        yield prepared
