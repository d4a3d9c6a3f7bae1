"""What every gestionnaire and administrateur action calls, in its own transaction, so that an
action the audit cannot record does not happen either."""

from __future__ import annotations

from typing import Any

import asyncpg

from registration.adapters import audit_sql
from registration.deps import Deps
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
