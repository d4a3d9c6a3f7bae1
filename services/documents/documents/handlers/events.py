"""Candidature events: a version to render becomes a render job (rendering and storing
happen later, outside the inbox transaction); a withdrawal or a rejection marks the
candidature, whose documents stay downloadable."""

from __future__ import annotations

import asyncpg

from documents.adapters import candidatures_sql, jobs_sql
from documents.deps import Deps
from shared.events import Envelope
from shared.events.catalogue import (
    CandidatureCreated,
    CandidatureModified,
    CandidatureRejected,
    CandidatureWithdrawn,
)


async def record_render_job(
    conn: asyncpg.Connection,
    envelope: Envelope,
    payload: CandidatureCreated | CandidatureModified,
    deps: Deps,
) -> bool:
    """One version, one job: a redelivered or replayed event records nothing more."""
    ref = payload.candidature
    await candidatures_sql.record(conn, ref, payload.version)
    return await jobs_sql.insert_job(
        conn,
        ref.candidature_id,
        payload.version,
        envelope.event_id,
        envelope.type,
        payload.model_dump(mode="json"),
    )


async def candidature_withdrawn(
    conn: asyncpg.Connection, envelope: Envelope, payload: CandidatureWithdrawn, deps: Deps
) -> None:
    await candidatures_sql.record(conn, payload.candidature)
    await candidatures_sql.mark_withdrawn(
        conn, payload.candidature.candidature_id, payload.withdrawn_at
    )


async def candidature_rejected(
    conn: asyncpg.Connection, envelope: Envelope, payload: CandidatureRejected, deps: Deps
) -> None:
    await candidatures_sql.record(conn, payload.candidature)
    await candidatures_sql.mark_rejected(
        conn, payload.candidature.candidature_id, payload.rejected_at
    )
