"""The audit log's one write and its reads (migration 007)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg


async def insert(
    conn: asyncpg.Connection,
    *,
    at: datetime,
    actor: uuid.UUID,
    role: str,
    academies: list[str],
    action: str,
    target: str,
    academie: str | None,
    correlation_id: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> int:
    entry_id: int = await conn.fetchval(
        """INSERT INTO audit_log (at, actor, role, academies, action, target, academie,
                                  correlation_id, before, after)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id""",
        at,
        actor,
        role,
        academies,
        action,
        target,
        academie,
        correlation_id,
        before,
        after,
    )
    return entry_id


async def search(
    conn: asyncpg.Connection,
    *,
    actor: uuid.UUID | None,
    action: str | None,
    target: str | None,
    academie: str | None,
    since: datetime | None,
    until: datetime | None,
    after: int | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Newest first, by id (keyset: `after` is the last id of the previous page, so rows
    written meanwhile never shift a page)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT id, at, actor, role, academies, action, target, academie, correlation_id,
                  before, after
           FROM audit_log
           WHERE ($1::uuid IS NULL OR actor = $1)
             AND ($2::text IS NULL OR action = $2)
             AND ($3::text IS NULL OR target = $3)
             AND ($4::text IS NULL OR academie = $4)
             AND ($5::timestamptz IS NULL OR at >= $5)
             AND ($6::timestamptz IS NULL OR at < $6)
             AND ($7::bigint IS NULL OR id < $7)
           ORDER BY id DESC
           LIMIT $8""",
        actor,
        action,
        target,
        academie,
        since,
        until,
        after,
        limit,
    )
    return rows
