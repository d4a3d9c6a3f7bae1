"""The audit log's one write (migration 001)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from shared.auth import Principal
from shared.logging import current_correlation_id


async def record(
    conn: asyncpg.Connection,
    principal: Principal,
    at: datetime,
    *,
    action: str,
    target: str,
    academie: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Who, as what, on what, when: in the action's transaction (no audit, no action)."""
    await conn.execute(
        """INSERT INTO audit_log (at, actor, role, action, target, academie, correlation_id,
                                  details)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        at,
        principal.account_id,
        principal.role.value,
        action,
        target,
        academie,
        current_correlation_id(),
        None if details is None else {k: _plain(v) for k, v in details.items()},
    )


def _plain(value: Any) -> Any:
    """The pool's jsonb codec takes JSON values: anything else (an instant, an id) as text."""
    return value if isinstance(value, str | int | float | bool | None) else str(value)
