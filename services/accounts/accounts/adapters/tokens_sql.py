"""SQL on the single-use links (activation, password reset, email change)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from accounts.domain.accounts import TokenPurpose


@dataclass(frozen=True)
class TakenToken:
    account_id: uuid.UUID
    expires_at: datetime
    new_email: str | None


async def insert(
    conn: asyncpg.Connection,
    *,
    digest: bytes,
    account_id: uuid.UUID,
    purpose: TokenPurpose,
    created_at: datetime,
    expires_at: datetime,
    new_email: str | None = None,
) -> None:
    await conn.execute(
        """INSERT INTO account_tokens (digest, account_id, purpose, new_email, created_at,
                                       expires_at)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        digest,
        account_id,
        str(purpose),
        new_email,
        created_at,
        expires_at,
    )


async def void(conn: asyncpg.Connection, account_id: uuid.UUID, purpose: TokenPurpose) -> None:
    await conn.execute(
        "DELETE FROM account_tokens WHERE account_id = $1 AND purpose = $2",
        account_id,
        str(purpose),
    )


async def take(conn: asyncpg.Connection, digest: bytes, purpose: TokenPurpose) -> TakenToken | None:
    """Delete the token and return it: a second use finds nothing. The caller's transaction
    rolls the deletion back if the token turns out to be unusable."""
    row = await conn.fetchrow(
        """DELETE FROM account_tokens WHERE digest = $1 AND purpose = $2
           RETURNING account_id, expires_at, new_email""",
        digest,
        str(purpose),
    )
    if row is None:
        return None
    return TakenToken(row["account_id"], row["expires_at"], row["new_email"])


async def peek(conn: asyncpg.Connection, digest: bytes, purpose: TokenPurpose) -> TakenToken | None:
    """The token, left in place: a cheap look before work worth doing only for a live one."""
    row = await conn.fetchrow(
        """SELECT account_id, expires_at, new_email FROM account_tokens
           WHERE digest = $1 AND purpose = $2""",
        digest,
        str(purpose),
    )
    if row is None:
        return None
    return TakenToken(row["account_id"], row["expires_at"], row["new_email"])


async def delete_expired(conn: asyncpg.Connection, now: datetime) -> int:
    status = await conn.execute("DELETE FROM account_tokens WHERE expires_at <= $1", now)
    return int(status.split()[-1])
