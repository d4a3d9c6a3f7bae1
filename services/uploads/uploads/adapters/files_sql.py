"""Every file deposited for a pièce (table piece_files): the current ones and the history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class NewFile:
    id: uuid.UUID
    piece_id: uuid.UUID
    candidature_id: uuid.UUID
    object_key: str
    display_name: str
    media_type: str
    size: int
    sha256: str
    deposited_at: datetime


async def insert(conn: asyncpg.Connection, new: NewFile) -> asyncpg.Record:
    row: asyncpg.Record = await conn.fetchrow(
        """INSERT INTO piece_files (id, piece_id, candidature_id, object_key, display_name,
                                    media_type, size, sha256, deposited_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           RETURNING *""",
        new.id,
        new.piece_id,
        new.candidature_id,
        new.object_key,
        new.display_name,
        new.media_type,
        new.size,
        new.sha256,
        new.deposited_at,
    )
    return row


async def current_count(conn: asyncpg.Connection, piece_id: uuid.UUID) -> int:
    count: int = await conn.fetchval(
        """SELECT count(*) FROM piece_files
           WHERE piece_id = $1 AND replaced_at IS NULL AND deleted_at IS NULL""",
        piece_id,
    )
    return count


async def current(
    conn: asyncpg.Connection, piece_id: uuid.UUID, file_id: uuid.UUID
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        """SELECT * FROM piece_files WHERE id = $1 AND piece_id = $2
             AND replaced_at IS NULL AND deleted_at IS NULL""",
        file_id,
        piece_id,
    )
    return row


async def mark_replaced(
    conn: asyncpg.Connection, file_id: uuid.UUID, by: uuid.UUID, at: datetime
) -> None:
    await conn.execute(
        "UPDATE piece_files SET replaced_at = $3, replaced_by = $2 WHERE id = $1", file_id, by, at
    )


async def mark_deleted(conn: asyncpg.Connection, file_id: uuid.UUID, at: datetime) -> None:
    await conn.execute("UPDATE piece_files SET deleted_at = $2 WHERE id = $1", file_id, at)


async def of_candidature(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, history: bool
) -> list[asyncpg.Record]:
    """Its files, oldest first: the current ones, or (`history`) every one."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT * FROM piece_files WHERE candidature_id = $1
             AND ($2 OR (replaced_at IS NULL AND deleted_at IS NULL))
           ORDER BY deposited_at, id""",
        candidature_id,
        history,
    )
    return rows


async def with_piece(conn: asyncpg.Connection, file_id: uuid.UUID) -> asyncpg.Record | None:
    """A file with what the back office checks before a download."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """SELECT f.*, c.academie FROM piece_files f
           JOIN candidatures c ON c.candidature_id = f.candidature_id
           WHERE f.id = $1""",
        file_id,
    )
    return row


async def owned_current(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    piece_id: uuid.UUID,
    file_id: uuid.UUID,
    account_id: uuid.UUID,
) -> asyncpg.Record | None:
    """A current file of the candidate's own pièce."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """SELECT f.* FROM piece_files f
           JOIN candidatures c ON c.candidature_id = f.candidature_id
           WHERE f.id = $1 AND f.piece_id = $2 AND f.candidature_id = $3 AND c.account_id = $4
             AND f.replaced_at IS NULL AND f.deleted_at IS NULL""",
        file_id,
        piece_id,
        candidature_id,
        account_id,
    )
    return row
