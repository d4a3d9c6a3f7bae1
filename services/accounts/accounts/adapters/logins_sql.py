"""SQL on logins and their rotating refresh tokens (the tables keep their first names,
`sessions` and `refresh_tokens.session_id`: no migration for a word)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class RefreshTokenRow:
    login_id: uuid.UUID
    account_id: uuid.UUID
    rotated_at: datetime | None
    login_expires_at: datetime
    login_revoked: bool


async def insert_login(
    conn: asyncpg.Connection,
    login_id: uuid.UUID,
    account_id: uuid.UUID,
    created_at: datetime,
    expires_at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO sessions (id, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        login_id,
        account_id,
        created_at,
        expires_at,
    )


async def insert_refresh_token(
    conn: asyncpg.Connection, digest: bytes, login_id: uuid.UUID, issued_at: datetime
) -> None:
    await conn.execute(
        "INSERT INTO refresh_tokens (digest, session_id, issued_at) VALUES ($1, $2, $3)",
        digest,
        login_id,
        issued_at,
    )


async def refresh_token_for_update(
    conn: asyncpg.Connection, digest: bytes
) -> RefreshTokenRow | None:
    """Locked, so two refreshes racing with one token cannot both rotate it."""
    row = await conn.fetchrow(
        """SELECT r.session_id, s.account_id, r.rotated_at,
                  s.expires_at, s.revoked_at IS NOT NULL AS revoked
           FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id
           WHERE r.digest = $1 FOR UPDATE OF r, s""",
        digest,
    )
    if row is None:
        return None
    return RefreshTokenRow(
        row["session_id"], row["account_id"], row["rotated_at"], row["expires_at"], row["revoked"]
    )


async def mark_rotated(conn: asyncpg.Connection, digest: bytes, at: datetime) -> None:
    await conn.execute("UPDATE refresh_tokens SET rotated_at = $2 WHERE digest = $1", digest, at)


async def revoke_login(conn: asyncpg.Connection, login_id: uuid.UUID, at: datetime) -> None:
    await conn.execute(
        "UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        login_id,
        at,
    )


async def revoke_logins(
    conn: asyncpg.Connection, account_id: uuid.UUID, at: datetime, *, keep: uuid.UUID | None = None
) -> int:
    """Revoke every live login of the account but `keep`; how many were revoked."""
    rows = await conn.fetch(
        """UPDATE sessions SET revoked_at = $2
           WHERE account_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $3
           RETURNING id""",
        account_id,
        at,
        keep,
    )
    return len(rows)


async def delete_ended(conn: asyncpg.Connection, now: datetime) -> None:
    await conn.execute(
        "DELETE FROM sessions WHERE expires_at <= $1 OR revoked_at <= $1 - interval '1 day'", now
    )
