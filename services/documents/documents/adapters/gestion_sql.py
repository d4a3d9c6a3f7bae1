"""Documents published by gestionnaires: candidature snapshots, generation batches and their
items, who published what, withdrawals, and objects put before their transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from shared.events.catalogue import CandidatureCreated, CandidatureModified

NOTIFY_CHANNEL = "document_batch_items"


# --- snapshots --------------------------------------------------------------------------------


async def record_snapshot(
    conn: asyncpg.Connection, version: CandidatureCreated | CandidatureModified
) -> None:
    """Keep the latest version of a candidature (an older one arriving late changes nothing)."""
    recap = version.recapitulatif
    await conn.execute(
        """INSERT INTO candidature_snapshots (candidature_id, version, specialite_code,
                                              etablissement, etablissement_code, payload)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb)
           ON CONFLICT (candidature_id) DO UPDATE SET
               version = EXCLUDED.version, specialite_code = EXCLUDED.specialite_code,
               etablissement = EXCLUDED.etablissement,
               etablissement_code = EXCLUDED.etablissement_code, payload = EXCLUDED.payload,
               updated_at = now()
           WHERE candidature_snapshots.version <= EXCLUDED.version""",
        version.candidature.candidature_id,
        version.version,
        version.candidature.specialite_code,
        recap.etablissement,
        recap.etablissement_code,
        version.model_dump(mode="json"),
    )


async def candidature(conn: asyncpg.Connection, candidature_id: uuid.UUID) -> asyncpg.Record | None:
    """A candidature and its latest recorded version (payload NULL when none was recorded)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """SELECT c.candidature_id, c.account_id, c.academie, c.withdrawn_at, c.rejected_at,
                  s.payload
           FROM candidatures c LEFT JOIN candidature_snapshots s USING (candidature_id)
           WHERE c.candidature_id = $1""",
        candidature_id,
    )
    return row


async def academie_of(conn: asyncpg.Connection, candidature_id: uuid.UUID) -> str | None:
    academie: str | None = await conn.fetchval(
        "SELECT academie FROM candidatures WHERE candidature_id = $1", candidature_id
    )
    return academie


# --- documents --------------------------------------------------------------------------------


async def record_publication(
    conn: asyncpg.Connection,
    document_id: uuid.UUID,
    candidature_id: uuid.UUID,
    source: str,
    batch_id: uuid.UUID | None,
    published_by: uuid.UUID,
) -> None:
    await conn.execute(
        """INSERT INTO gestion_documents (document_id, candidature_id, source, batch_id,
                                          published_by)
           VALUES ($1, $2, $3, $4, $5)""",
        document_id,
        candidature_id,
        source,
        batch_id,
        published_by,
    )


STAFF_DOCUMENT = """
    SELECT d.id, d.candidature_id, d.account_id, d.academie, d.kind, d.title, d.version, d.size,
           d.sha256, d.published_at, d.withdrawn_at, d.withdrawn_reason,
           g.source, g.batch_id, g.published_by, w.withdrawn_by
    FROM documents d
    LEFT JOIN gestion_documents g ON g.document_id = d.id
    LEFT JOIN document_withdrawals w ON w.document_id = d.id"""


async def document(
    conn: asyncpg.Connection, document_id: uuid.UUID, *, lock: bool = False
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"{STAFF_DOCUMENT} WHERE d.id = $1 {'FOR UPDATE OF d' if lock else ''}", document_id
    )
    return row


async def documents_of(conn: asyncpg.Connection, candidature_id: uuid.UUID) -> list[asyncpg.Record]:
    """Every document of a candidature, withdrawn ones included, newest first."""
    rows = await conn.fetch(
        f"""{STAFF_DOCUMENT} WHERE d.candidature_id = $1
            ORDER BY d.published_at DESC, d.version DESC NULLS LAST, d.id""",
        candidature_id,
    )
    return list(rows)


async def withdraw(
    conn: asyncpg.Connection, document_id: uuid.UUID, by: uuid.UUID, at: datetime, reason: str
) -> None:
    await conn.execute(
        "UPDATE documents SET withdrawn_at = $2, withdrawn_reason = $3 WHERE id = $1",
        document_id,
        at,
        reason,
    )
    await conn.execute(
        """INSERT INTO document_withdrawals (document_id, withdrawn_by, withdrawn_at, reason)
           VALUES ($1, $2, $3, $4)""",
        document_id,
        by,
        at,
        reason,
    )


# --- objects put before their transaction -----------------------------------------------------


async def object_pending(conn: asyncpg.Connection, key: str) -> None:
    await conn.execute("INSERT INTO pending_objects (object_key) VALUES ($1)", key)


async def object_recorded(conn: asyncpg.Connection, key: str) -> None:
    await conn.execute("DELETE FROM pending_objects WHERE object_key = $1", key)


async def queue_orphans(conn: asyncpg.Connection, older_than_s: float) -> int:
    """Objects whose transaction never came (a crash between the put and the commit) go to the
    removal queue the render worker empties. Safe with replicas: each row is moved once."""
    moved: int = await conn.fetchval(
        """WITH old AS (DELETE FROM pending_objects
                        WHERE recorded_at < now() - make_interval(secs => $1)
                        RETURNING object_key),
                queued AS (INSERT INTO objects_to_remove (object_key)
                           SELECT object_key FROM old ON CONFLICT DO NOTHING)
           SELECT count(*) FROM old""",
        older_than_s,
    )
    return moved


# --- batches ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewBatch:
    id: uuid.UUID
    academie: str
    template: str
    params: dict[str, Any]
    filter: dict[str, Any]
    candidature_id: uuid.UUID | None  # a batch of one
    created_by: uuid.UUID
    created_at: datetime


async def insert_batch(conn: asyncpg.Connection, batch: NewBatch) -> None:
    await conn.execute(
        """INSERT INTO document_batches (id, academie, template, params, filter,
                                         candidature_id, created_by, created_at)
           VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8)""",
        batch.id,
        batch.academie,
        batch.template,
        batch.params,
        batch.filter,
        batch.candidature_id,
        batch.created_by,
        batch.created_at,
    )


async def add_item(conn: asyncpg.Connection, batch_id: uuid.UUID, candidature_id: uuid.UUID) -> int:
    await conn.execute(
        "INSERT INTO document_batch_items (batch_id, candidature_id) VALUES ($1, $2)",
        batch_id,
        candidature_id,
    )
    return await set_total(conn, batch_id)


async def add_matching_items(
    conn: asyncpg.Connection, batch_id: uuid.UUID, academie: str, filter: dict[str, Any]
) -> int:
    """One item for every active candidature of the académie that matches the filter (and has
    a recorded version); returns how many."""
    await conn.execute(
        """INSERT INTO document_batch_items (batch_id, candidature_id)
           SELECT $1, c.candidature_id
           FROM candidatures c JOIN candidature_snapshots s USING (candidature_id)
           WHERE c.academie = $2 AND c.withdrawn_at IS NULL AND c.rejected_at IS NULL
             AND ($3::text IS NULL OR c.examen = $3)
             AND ($4::integer IS NULL OR c.session = $4)
             AND ($5::text IS NULL OR s.specialite_code = $5)
             AND ($6::text IS NULL OR s.etablissement_code = $6 OR s.etablissement = $6)
           ORDER BY c.candidature_id
           ON CONFLICT (batch_id, candidature_id) DO NOTHING""",
        batch_id,
        academie,
        filter.get("examen"),
        filter.get("session"),
        filter.get("specialite"),
        filter.get("etablissement"),
    )
    return await set_total(conn, batch_id)


async def set_total(conn: asyncpg.Connection, batch_id: uuid.UUID) -> int:
    total: int = await conn.fetchval(
        """UPDATE document_batches
           SET total = (SELECT count(*) FROM document_batch_items WHERE batch_id = $1)
           WHERE id = $1 RETURNING total""",
        batch_id,
    )
    return total


BATCH = """
    SELECT b.id, b.academie, b.template, b.params, b.filter,
           b.candidature_id IS NOT NULL AS single, b.total, b.created_by, b.created_at,
           count(*) FILTER (WHERE i.status = 'done') AS done,
           count(*) FILTER (WHERE i.status = 'failed') AS failed,
           count(*) FILTER (WHERE i.status = 'pending') AS pending
    FROM document_batches b LEFT JOIN document_batch_items i ON i.batch_id = b.id"""


async def batch(conn: asyncpg.Connection, batch_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"{BATCH} WHERE b.id = $1 GROUP BY b.id", batch_id
    )
    return row


async def batches(
    conn: asyncpg.Connection, academies: list[str], limit: int
) -> list[asyncpg.Record]:
    """The académies' batches, the newest first."""
    rows = await conn.fetch(
        f"""{BATCH} WHERE b.academie = ANY($1)
            GROUP BY b.id ORDER BY b.created_at DESC, b.id LIMIT $2""",
        academies,
        limit,
    )
    return list(rows)


async def batch_items(conn: asyncpg.Connection, batch_id: uuid.UUID) -> list[asyncpg.Record]:
    rows = await conn.fetch(
        """SELECT i.candidature_id, c.numero_inscription, i.status, i.attempts, i.document_id,
                  i.last_error, i.done_at
           FROM document_batch_items i JOIN candidatures c USING (candidature_id)
           WHERE i.batch_id = $1
           ORDER BY c.numero_inscription, i.candidature_id""",
        batch_id,
    )
    return list(rows)


# --- the generation worker --------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    id: int
    batch_id: uuid.UUID
    candidature_id: uuid.UUID
    attempts: int
    single: bool
    params: dict[str, Any]
    created_by: uuid.UUID
    payload: dict[str, Any]


async def claim_items(conn: asyncpg.Connection, limit: int, lease_s: float) -> list[Item]:
    """Take up to `limit` due items: SKIP LOCKED keeps replicas apart, the lease (a later
    due_at) keeps them apart after this statement commits."""
    rows = await conn.fetch(
        """WITH claimed AS (
               UPDATE document_batch_items SET due_at = now() + make_interval(secs => $2)
               WHERE id IN (SELECT id FROM document_batch_items
                            WHERE status = 'pending' AND due_at <= now()
                            ORDER BY due_at, id
                            LIMIT $1
                            FOR UPDATE SKIP LOCKED)
               RETURNING id, batch_id, candidature_id, attempts)
           SELECT claimed.id, claimed.batch_id, claimed.candidature_id, claimed.attempts,
                  b.candidature_id IS NOT NULL AS single, b.params, b.created_by,
                  s.payload
           FROM claimed
           JOIN document_batches b ON b.id = claimed.batch_id
           JOIN candidature_snapshots s ON s.candidature_id = claimed.candidature_id
           ORDER BY claimed.id""",
        limit,
        lease_s,
    )
    return [
        Item(
            id=row["id"],
            batch_id=row["batch_id"],
            candidature_id=row["candidature_id"],
            attempts=row["attempts"],
            single=row["single"],
            params=row["params"],
            created_by=row["created_by"],
            payload=row["payload"],
        )
        for row in rows
    ]


async def lock_pending_item(conn: asyncpg.Connection, item_id: int) -> bool:
    """True while the item is still to do (another attempt may have finished it, or an
    erasure deleted it)."""
    status = await conn.fetchval(
        "SELECT status FROM document_batch_items WHERE id = $1 FOR UPDATE", item_id
    )
    return bool(status == "pending")


async def item_done(conn: asyncpg.Connection, item_id: int, document_id: uuid.UUID) -> None:
    await conn.execute(
        """UPDATE document_batch_items SET status = 'done', document_id = $2, done_at = now(),
                                           attempts = attempts + 1, last_error = NULL
           WHERE id = $1""",
        item_id,
        document_id,
    )


async def item_failed(conn: asyncpg.Connection, item_id: int, error: str) -> None:
    await conn.execute(
        """UPDATE document_batch_items SET status = 'failed', done_at = now(),
                                           attempts = attempts + 1, last_error = $2
           WHERE id = $1 AND status = 'pending'""",
        item_id,
        error[:2000],
    )


async def item_deferred(conn: asyncpg.Connection, item_id: int, delay_s: float, error: str) -> None:
    await conn.execute(
        """UPDATE document_batch_items SET attempts = attempts + 1, last_error = $3,
                                           due_at = now() + make_interval(secs => $2)
           WHERE id = $1 AND status = 'pending'""",
        item_id,
        delay_s,
        error[:2000],
    )
