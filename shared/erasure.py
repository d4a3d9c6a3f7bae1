"""Erased accounts, for every service that keeps data about an account.

When `AccountErased` arrives a service deletes what it holds and records a tombstone, so that
an event about the account arriving later (a retry, a replay, events out of order) stores
nothing again. Every handler of an account's events first takes the account's lock: handlers
of one account then run one at a time across consumer workers, and a write committed between
another handler's tombstone check and its own write cannot undo an erasure.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg


async def lock_account(conn: asyncpg.Connection, account_id: uuid.UUID) -> None:
    """Held until the transaction ends."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1::text))", str(account_id))


async def is_erased(conn: asyncpg.Connection, account_id: uuid.UUID) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT FROM erased_accounts WHERE account_id = $1)", account_id
        )
    )


async def lock_and_check_erased(conn: asyncpg.Connection, account_id: uuid.UUID) -> bool:
    """Take the account's lock, then read its tombstone: what every account handler does first."""
    await lock_account(conn, account_id)
    return await is_erased(conn, account_id)


async def record_erased(conn: asyncpg.Connection, account_id: uuid.UUID, at: datetime) -> None:
    await conn.execute(
        """INSERT INTO erased_accounts (account_id, erased_at) VALUES ($1, $2)
           ON CONFLICT DO NOTHING""",
        account_id,
        at,
    )
