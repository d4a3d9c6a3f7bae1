"""Candidature events: a version to render becomes a render job (rendering and storing
happen later, outside the inbox transaction); a withdrawal or a rejection marks the
candidature, whose documents stay downloadable. An erased account's documents, candidatures
and jobs go (their objects are queued for the worker to remove), and a tombstone keeps a later
event of the account from recording anything."""

from __future__ import annotations

import logging

import asyncpg

from documents.adapters import candidatures_sql, documents_sql, gestion_sql, jobs_sql
from documents.deps import Deps
from shared.erasure import lock_account, lock_and_check_erased, record_erased
from shared.events import Envelope
from shared.events.catalogue import (
    AccountErased,
    CandidatureCreated,
    CandidatureModified,
    CandidatureRejected,
    CandidaturesPurged,
    CandidatureWithdrawn,
)

log = logging.getLogger(__name__)


async def record_render_job(
    conn: asyncpg.Connection,
    envelope: Envelope,
    payload: CandidatureCreated | CandidatureModified,
    deps: Deps,
) -> bool:
    """One version, one job: a redelivered or replayed event records nothing more."""
    ref = payload.candidature
    if await lock_and_check_erased(conn, ref.account_id):
        return False
    await candidatures_sql.record(conn, ref, payload.version)
    await gestion_sql.record_snapshot(conn, payload)  # what gestionnaires' templates print
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
    if await lock_and_check_erased(conn, payload.candidature.account_id):
        return
    await candidatures_sql.record(conn, payload.candidature)
    await candidatures_sql.mark_withdrawn(
        conn, payload.candidature.candidature_id, payload.withdrawn_at
    )


async def candidature_rejected(
    conn: asyncpg.Connection, envelope: Envelope, payload: CandidatureRejected, deps: Deps
) -> None:
    if await lock_and_check_erased(conn, payload.candidature.account_id):
        return
    await candidatures_sql.record(conn, payload.candidature)
    await candidatures_sql.mark_rejected(
        conn, payload.candidature.candidature_id, payload.rejected_at
    )


async def erase_account(
    conn: asyncpg.Connection, envelope: Envelope, payload: AccountErased, deps: Deps
) -> int:
    await lock_account(conn, payload.account_id)
    await record_erased(conn, payload.account_id, envelope.occurred_at)
    deleted = await documents_sql.erase_account(conn, payload.account_id)
    log.info("documents of an erased account deleted", extra={"documents": deleted})
    return deleted


async def candidatures_purged(
    conn: asyncpg.Connection, envelope: Envelope, payload: CandidaturesPurged, deps: Deps
) -> int:
    """The retention of a closed session ran out (domain §8, registration's clock): these
    candidatures' documents, verification codes (a code of a purged document is unknown from
    now on), render jobs and files go. A render job already claimed finds its job gone and
    records nothing (its object is then removed)."""
    deleted = await documents_sql.purge_candidatures(conn, payload.candidature_ids)
    log.info(
        "documents of purged candidatures deleted",
        extra={"candidatures": len(payload.candidature_ids), "documents": deleted},
    )
    return deleted
