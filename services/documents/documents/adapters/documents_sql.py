"""Documents, and the candidatures a candidate sees in Mes documents."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class NewDocument:
    id: uuid.UUID
    candidature_id: uuid.UUID
    account_id: uuid.UUID
    academie: str
    kind: str
    title: str
    version: int | None
    object_key: str
    size: int
    sha256: str
    published_at: datetime
    content_type: str = "application/pdf"


async def insert_document(conn: asyncpg.Connection, document: NewDocument) -> bool:
    """Record a stored document; False when this version of this kind is already recorded
    (another replica, or an earlier attempt that committed): exactly one document a version."""
    inserted = await conn.fetchval(
        """INSERT INTO documents (id, candidature_id, account_id, academie, kind, title, version,
                                  object_key, content_type, size, sha256, published_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (candidature_id, kind, version) DO NOTHING
           RETURNING id""",
        document.id,
        document.candidature_id,
        document.account_id,
        document.academie,
        document.kind,
        document.title,
        document.version,
        document.object_key,
        document.content_type,
        document.size,
        document.sha256,
        document.published_at,
    )
    return inserted is not None


async def candidatures_of(conn: asyncpg.Connection, account_id: uuid.UUID) -> list[asyncpg.Record]:
    """A candidate's candidatures that have a visible document, the latest document first."""
    rows = await conn.fetch(
        """SELECT c.candidature_id, c.examen, c.session, c.academie, c.specialite_libelle,
                  c.numero_candidat, c.numero_inscription, c.latest_version, c.withdrawn_at,
                  c.rejected_at, d.last_published_at, d.documents
           FROM candidatures c
           JOIN (SELECT candidature_id, max(published_at) AS last_published_at,
                        count(*) AS documents
                 FROM documents
                 WHERE account_id = $1 AND withdrawn_at IS NULL
                 GROUP BY candidature_id) d USING (candidature_id)
           WHERE c.account_id = $1
           ORDER BY d.last_published_at DESC, c.candidature_id""",
        account_id,
    )
    return list(rows)


async def candidature_owned(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, account_id: uuid.UUID
) -> bool:
    found = await conn.fetchval(
        "SELECT 1 FROM candidatures WHERE candidature_id = $1 AND account_id = $2",
        candidature_id,
        account_id,
    )
    return found is not None


async def documents_of(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, account_id: uuid.UUID
) -> list[asyncpg.Record]:
    rows = await conn.fetch(
        """SELECT id, kind, title, version, size, published_at
           FROM documents
           WHERE candidature_id = $1 AND account_id = $2 AND withdrawn_at IS NULL
           ORDER BY published_at DESC, version DESC NULLS LAST, id""",
        candidature_id,
        account_id,
    )
    return list(rows)


async def document_of(
    conn: asyncpg.Connection, document_id: uuid.UUID, account_id: uuid.UUID
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        """SELECT d.id, d.kind, d.title, d.version, d.object_key, d.content_type, d.size,
                  d.sha256, d.published_at, c.numero_inscription
           FROM documents d JOIN candidatures c USING (candidature_id)
           WHERE d.id = $1 AND d.account_id = $2 AND d.withdrawn_at IS NULL""",
        document_id,
        account_id,
    )
    return row


async def erase_account(conn: asyncpg.Connection, account_id: uuid.UUID) -> int:
    """Delete an account's documents, candidatures and render jobs; their objects are queued
    for removal. Returns how many documents went."""
    keys = await conn.fetch(
        "DELETE FROM documents WHERE account_id = $1 RETURNING object_key", account_id
    )
    await conn.executemany(
        "INSERT INTO objects_to_remove (object_key) VALUES ($1) ON CONFLICT DO NOTHING",
        [(row["object_key"],) for row in keys],
    )
    await conn.execute(
        """INSERT INTO objects_to_remove (object_key)
           SELECT unnest(pending_keys) FROM render_jobs WHERE candidature_id IN
               (SELECT candidature_id FROM candidatures WHERE account_id = $1)
           ON CONFLICT DO NOTHING""",
        account_id,
    )
    await conn.execute(
        """DELETE FROM render_jobs WHERE candidature_id IN
               (SELECT candidature_id FROM candidatures WHERE account_id = $1)""",
        account_id,
    )
    await conn.execute("DELETE FROM candidatures WHERE account_id = $1", account_id)
    return len(keys)


async def objects_to_remove(conn: asyncpg.Connection, limit: int) -> list[str]:
    rows = await conn.fetch(
        "SELECT object_key FROM objects_to_remove ORDER BY recorded_at LIMIT $1", limit
    )
    return [row["object_key"] for row in rows]


async def objects_removed(conn: asyncpg.Connection, keys: list[str]) -> None:
    await conn.execute("DELETE FROM objects_to_remove WHERE object_key = ANY($1)", keys)


async def purge_candidatures(conn: asyncpg.Connection, candidature_ids: list[uuid.UUID]) -> int:
    """Delete these candidatures, their documents (verifications cascade) and render jobs;
    every object they name, and any an unfinished attempt put, is queued for removal.
    Returns how many documents went."""
    # The jobs' rows first: a render attempt recording now holds its job's row, so once these
    # locks are taken its document is visible below, or it will find its job gone.
    await conn.execute(
        "SELECT 1 FROM render_jobs WHERE candidature_id = ANY($1) FOR UPDATE", candidature_ids
    )
    await conn.execute(
        """INSERT INTO objects_to_remove (object_key)
           SELECT object_key FROM documents WHERE candidature_id = ANY($1)
           UNION
           SELECT unnest(pending_keys) FROM render_jobs WHERE candidature_id = ANY($1)
           ON CONFLICT DO NOTHING""",
        candidature_ids,
    )
    deleted = await conn.execute(
        "DELETE FROM documents WHERE candidature_id = ANY($1)", candidature_ids
    )
    await conn.execute("DELETE FROM render_jobs WHERE candidature_id = ANY($1)", candidature_ids)
    await conn.execute("DELETE FROM candidatures WHERE candidature_id = ANY($1)", candidature_ids)
    return int(deleted.split()[-1])
