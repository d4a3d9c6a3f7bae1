"""Idempotency-Key for requests that create something.

The key is recorded in the request's own transaction: if the request fails, the key is free
again; if it succeeds, a retry with the same key and body gets the stored response and causes
nothing; the same key with another body is refused. Two requests racing with one key are
serialised by the key's primary key: the second waits for the first to commit.
"""

from __future__ import annotations

import hashlib
import re

import asyncpg
from aiohttp import web

from shared.db import delete_in_batches
from shared.http.problems import ProblemError

HEADER = "Idempotency-Key"
VALID_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


def idempotency_key(request: web.Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not VALID_KEY.match(key):
        raise ProblemError(
            400,
            "invalid-idempotency-key",
            "Invalid Idempotency-Key",
            "The key must be 1 to 200 printable ASCII characters",
        )
    return key


async def claim(conn: asyncpg.Connection, scope: str, key: str, body: bytes) -> web.Response | None:
    """None if the key is new (now held by this transaction), else the stored response."""
    request_hash = hashlib.sha256(body).digest()
    try:
        claimed = await conn.fetchval(
            """INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)
               ON CONFLICT DO NOTHING RETURNING true""",
            scope,
            key,
            request_hash,
        )
    except asyncpg.LockNotAvailableError:  # the first request with this key is still running
        raise ProblemError(
            409,
            "idempotency-key-in-use",
            "Idempotency-Key in use",
            "A request with this Idempotency-Key is still being processed: retry later",
        ) from None
    if claimed:
        return None
    stored = await conn.fetchrow(
        "SELECT request_hash, status, body, content_type FROM idempotency_keys"
        " WHERE scope = $1 AND key = $2",
        scope,
        key,
    )
    if bytes(stored["request_hash"]) != request_hash:
        raise ProblemError(
            422,
            "idempotency-key-reused",
            "Idempotency-Key reused",
            "This Idempotency-Key was used with another request body",
        )
    return web.Response(
        status=stored["status"],
        text=stored["body"],
        content_type=stored["content_type"],
        headers={"Idempotent-Replayed": "true"},
    )


async def remember(
    conn: asyncpg.Connection, scope: str, key: str, response: web.StreamResponse
) -> None:
    """Keep the response for retries; a streamed one cannot be kept, so its key is freed."""
    if not isinstance(response, web.Response):
        await conn.execute("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2", scope, key)
        return
    await conn.execute(
        """UPDATE idempotency_keys SET status = $3, body = $4, content_type = $5
           WHERE scope = $1 AND key = $2""",
        scope,
        key,
        response.status,
        response.text or "",
        response.content_type,
    )


async def purge(conn: asyncpg.Connection, hours: int = 24) -> None:
    await delete_in_batches(
        conn,
        """DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
               SELECT ctid FROM idempotency_keys
               WHERE created_at < now() - make_interval(hours => $1) LIMIT $2))""",
        hours,
    )
