"""SQL on the identity audit and the announcements."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from accounts.entrypoints.schemas import Announcement, IdentityAuditEntry
from shared.auth import Role
from shared.events.catalogue import Identite


async def insert_audit(
    conn: asyncpg.Connection,
    *,
    account_id: uuid.UUID,
    changed_by: uuid.UUID,
    changed_by_role: Role,
    changed_at: datetime,
    reason: str | None,
    before: Identite | None,
    after: Identite,
) -> None:
    await conn.execute(
        """INSERT INTO identity_audit (account_id, changed_by, changed_by_role, changed_at, reason,
                                       before, after)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        account_id,
        changed_by,
        str(changed_by_role),
        changed_at,
        reason,
        before.model_dump(mode="json") if before is not None else None,
        after.model_dump(mode="json"),
    )


async def audit_of(conn: asyncpg.Connection, account_id: uuid.UUID) -> list[IdentityAuditEntry]:
    rows = await conn.fetch(
        """SELECT changed_by, changed_by_role, changed_at, reason, before, after
           FROM identity_audit WHERE account_id = $1 ORDER BY id""",
        account_id,
    )
    return [IdentityAuditEntry.model_validate(dict(row)) for row in rows]


async def insert_announcement(
    conn: asyncpg.Connection, announcement: Announcement, created_by: uuid.UUID, at: datetime
) -> None:
    await conn.execute(
        """INSERT INTO announcements (id, title, body, starts_at, ends_at, created_by, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        announcement.id,
        announcement.title,
        announcement.body,
        announcement.starts_at,
        announcement.ends_at,
        created_by,
        at,
    )


async def current_announcements(conn: asyncpg.Connection, now: datetime) -> list[Announcement]:
    rows = await conn.fetch(
        """SELECT id, title, body, starts_at, ends_at FROM announcements
           WHERE starts_at <= $1 AND ends_at > $1 ORDER BY starts_at, id""",
        now,
    )
    return [Announcement.model_validate(dict(row)) for row in rows]
