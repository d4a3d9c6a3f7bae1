"""Formulaires: the PDF forms offered for an examen."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

COLUMNS = "id, examen, title, object_key, size, sha256, pages, added_at"


@dataclass(frozen=True)
class NewFormulaire:
    id: uuid.UUID
    examen: str
    title: str
    object_key: str
    size: int
    sha256: str
    pages: int
    added_by: uuid.UUID
    added_at: datetime


async def insert(conn: asyncpg.Connection, formulaire: NewFormulaire) -> asyncpg.Record:
    """The formulaire recorded, or the one already recorded with the same file for the same
    examen (then `object_key` differs from the new one's, which names nothing)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""INSERT INTO formulaires (id, examen, title, object_key, size, sha256, pages,
                                     added_by, added_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (examen, sha256) DO NOTHING
            RETURNING {COLUMNS}""",
        formulaire.id,
        formulaire.examen,
        formulaire.title,
        formulaire.object_key,
        formulaire.size,
        formulaire.sha256,
        formulaire.pages,
        formulaire.added_by,
        formulaire.added_at,
    )
    if row is not None:
        return row
    existing: asyncpg.Record = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM formulaires WHERE examen = $1 AND sha256 = $2",
        formulaire.examen,
        formulaire.sha256,
    )
    return existing


async def of_examen(conn: asyncpg.Connection, examen: str) -> list[asyncpg.Record]:
    rows = await conn.fetch(
        f"SELECT {COLUMNS} FROM formulaires WHERE examen = $1 ORDER BY added_at, id", examen
    )
    return list(rows)


async def find(conn: asyncpg.Connection, formulaire_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM formulaires WHERE id = $1", formulaire_id
    )
    return row


async def delete(conn: asyncpg.Connection, formulaire_id: uuid.UUID) -> str | None:
    """The removed formulaire's object key, queued for the worker to remove from the bucket."""
    key: str | None = await conn.fetchval(
        "DELETE FROM formulaires WHERE id = $1 RETURNING object_key", formulaire_id
    )
    if key is not None:
        await queue_removal(conn, key)
    return key


async def queue_removal(conn: asyncpg.Connection, key: str) -> None:
    await conn.execute(
        "INSERT INTO objects_to_remove (object_key) VALUES ($1) ON CONFLICT DO NOTHING", key
    )
