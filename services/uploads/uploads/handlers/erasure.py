"""An erased account (AccountErased) or a purged session (CandidaturesPurged): the pièces and
files go, their objects are queued and removed by a periodic job outside the event's
transaction. A tombstone keeps a later event of an erased account from recording anything
(shared.erasure)."""

from __future__ import annotations

import logging

import asyncpg

from shared.erasure import lock_account, record_erased
from shared.events import Envelope
from shared.events.catalogue import AccountErased, CandidaturesPurged
from shared.storage import STORAGE, ObjectStore
from uploads.adapters import erasure_sql
from uploads.deps import Deps

log = logging.getLogger(__name__)
BATCH = 100


async def erase_account(
    conn: asyncpg.Connection, envelope: Envelope, payload: AccountErased, deps: Deps
) -> int:
    await lock_account(conn, payload.account_id)
    await record_erased(conn, payload.account_id, envelope.occurred_at)
    candidatures = await erasure_sql.candidatures_of(conn, payload.account_id)
    deleted = await erasure_sql.delete_candidatures(conn, candidatures)
    log.info("pièces of an erased account deleted", extra={"candidatures": deleted})
    return deleted


async def purge_candidatures(
    conn: asyncpg.Connection, envelope: Envelope, payload: CandidaturesPurged, deps: Deps
) -> int:
    deleted = await erasure_sql.delete_candidatures(conn, payload.candidature_ids)
    log.info("pièces of a closed session purged", extra={"candidatures": deleted})
    return deleted


async def remove_objects(conn: asyncpg.Connection, store: ObjectStore) -> int:
    """One batch of queued objects removed from the bucket, then forgotten. An S3 failure
    leaves the rest queued for the next round."""
    keys = await erasure_sql.objects_to_remove(conn, BATCH)
    removed: list[str] = []
    try:
        for key in keys:
            await store.remove(key)
            removed.append(key)
    except Exception as exc:  # the S3 client's errors, whatever their class
        STORAGE.failed(exc)
    if removed:
        await erasure_sql.forget(conn, removed)
    return len(removed)
