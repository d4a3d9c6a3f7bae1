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
