"""What every gestionnaire and administrateur action calls, in its own transaction, so that an
action the audit cannot record does not happen either."""

from __future__ import annotations

from typing import Any

import asyncpg

from registration.adapters import audit_sql
from registration.deps import Deps
from registration.entrypoints.schemas import AuditEntry, AuditPage, AuditQuery
from shared.auth import Principal
from shared.logging import current_correlation_id


async def record(
    conn: asyncpg.Connection,
    principal: Principal,
    deps: Deps,
    *,
    action: str,
    target: str,
    academie: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> int:
    """One audit row: who, as what, on what, when. `before`/`after` hold no secret and no
    health data (the caller leaves them out)."""
    return await audit_sql.insert(
        conn,
        at=deps.clock.now(),
        actor=principal.account_id,
        role=principal.role.value,
        academies=sorted(principal.academies),
        action=action,
        target=target,
        academie=academie,
        correlation_id=current_correlation_id(),
        before=before,
        after=after,
    )


async def search(conn: asyncpg.Connection, query: AuditQuery, deps: Deps) -> AuditPage:
    """Administrateurs read the log with filters, a page at a time."""
    rows = await audit_sql.search(
        conn,
        actor=query.actor,
        action=query.action,
        target=query.target,
        academie=query.academie,
        since=query.from_,
        until=query.to,
        after=query.after,
        limit=query.limit + 1,
    )
    items = [AuditEntry(**dict(row)) for row in rows[: query.limit]]
    return AuditPage(items=items, next=items[-1].id if len(rows) > query.limit else None)
