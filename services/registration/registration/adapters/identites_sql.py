"""SQL of the identity projection. Each part (email, identity, activation) keeps the instant
of the event it came from: an older event arriving late changes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg


async def set_identite(
    conn: asyncpg.Connection, account_id: uuid.UUID, identite: dict[str, Any], at: datetime
) -> None:
    await conn.execute(
        """INSERT INTO identites (account_id, identite, identite_at) VALUES ($1, $2, $3)
           ON CONFLICT (account_id) DO UPDATE
               SET identite = excluded.identite, identite_at = excluded.identite_at,
                   updated_at = now()
               WHERE identites.identite_at IS NULL
                  OR identites.identite_at <= excluded.identite_at""",
        account_id,
        identite,
        at,
    )


async def set_email(
    conn: asyncpg.Connection, account_id: uuid.UUID, email: str, at: datetime
) -> None:
    await conn.execute(
        """INSERT INTO identites (account_id, email, email_at) VALUES ($1, $2, $3)
           ON CONFLICT (account_id) DO UPDATE
               SET email = excluded.email, email_at = excluded.email_at, updated_at = now()
               WHERE identites.email_at IS NULL OR identites.email_at <= excluded.email_at""",
        account_id,
        email,
        at,
    )


async def set_activated(
    conn: asyncpg.Connection, account_id: uuid.UUID, activated_at: datetime
) -> None:
    await conn.execute(
        """INSERT INTO identites (account_id, activated_at) VALUES ($1, $2)
           ON CONFLICT (account_id) DO UPDATE
               SET activated_at = excluded.activated_at, updated_at = now()""",
        account_id,
        activated_at,
    )


async def delete_identite(conn: asyncpg.Connection, account_id: uuid.UUID) -> None:
    await conn.execute("DELETE FROM identites WHERE account_id = $1", account_id)


async def get_identite(conn: asyncpg.Connection, account_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT account_id, email, identite, activated_at, identite_at
           FROM identites WHERE account_id = $1""",
        account_id,
    )
