"""The candidate's read of the aménagement granted (issue 12, point 3): health data, visible
only to the candidate and to the académie's gestionnaires (who read it in the back office's
detail). Someone else's candidature reads as unknown (404), like every candidate route."""

from __future__ import annotations

import uuid

import asyncpg

from registration.adapters import candidatures_sql, decisions_sql
from registration.deps import Deps
from registration.domain.decisions import DecisionKind
from registration.domain.errors import CandidatureNotFound
from registration.entrypoints.schemas import AmenagementAccorde, MonAmenagementView
from shared.auth import Principal


async def mine(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal, deps: Deps
) -> MonAmenagementView:
    """The latest aménagement decision on the candidate's own candidature (null if none)."""
    row = await candidatures_sql.get_candidature(
        conn, candidature_id, principal.account_id, lock=False
    )
    if row is None:
        raise CandidatureNotFound(candidature_id)
    granted = [
        d
        for d in await decisions_sql.list_decisions(conn, candidature_id)
        if d["kind"] == DecisionKind.AMENAGEMENT.value and d["mesures"] is not None
    ]
    if not granted:
        return MonAmenagementView(candidature_id=candidature_id, amenagement=None)
    last = granted[-1]
    return MonAmenagementView(
        candidature_id=candidature_id,
        amenagement=AmenagementAccorde(
            mesures=list(last["mesures"]),
            texte=last["texte"],
            reason=last["reason"],
            decided_at=last["decided_at"],
        ),
    )
