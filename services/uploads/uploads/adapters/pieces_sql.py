"""A candidature's pièces (table pieces)."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from uploads.domain.rules import Wanted


async def existing(
    conn: asyncpg.Connection, candidature_id: uuid.UUID
) -> dict[tuple[str, str], bool]:
    """The pièces the rules gave (a gestionnaire's requests are not theirs to retire)."""
    rows = await conn.fetch(
        """SELECT code, ref, active FROM pieces
           WHERE candidature_id = $1 AND requested_by IS NULL""",
        candidature_id,
    )
    return {(row["code"], row["ref"]): row["active"] for row in rows}


async def insert(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    groupe_id: uuid.UUID,
    wanted: Wanted,
    at: datetime,
) -> None:
    await conn.execute(
        """INSERT INTO pieces (id, candidature_id, groupe_id, code, ref, libelle, formats,
                               max_bytes, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (candidature_id, code, ref) DO NOTHING""",
        uuid.uuid4(),
        candidature_id,
        groupe_id,
        wanted.code,
        wanted.ref,
        wanted.libelle,
        list(wanted.formats),
        wanted.max_bytes,
        at,
    )


async def set_active(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    keys: list[tuple[str, str]],
    active: bool,
    at: datetime,
) -> None:
    await conn.executemany(
        """UPDATE pieces SET active = $4::boolean,
                             retired_at = CASE WHEN $4 THEN NULL ELSE $5::timestamptz END
           WHERE candidature_id = $1 AND code = $2 AND ref = $3""",
        [(candidature_id, code, ref, active, at) for code, ref in keys],
    )


async def of_candidature(
    conn: asyncpg.Connection, candidature_id: uuid.UUID
) -> list[asyncpg.Record]:
    """Its pièces with their group, active ones first, in a stable order."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT p.*, g.code AS groupe_code, g.libelle AS groupe_libelle,
                  g.date_limite, g.fuseau_horaire
           FROM pieces p JOIN groupes g ON g.id = p.groupe_id
           WHERE p.candidature_id = $1
           ORDER BY g.date_limite, g.code, NOT p.active, p.created_at, p.code, p.ref""",
        candidature_id,
    )
    return rows


async def for_update(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, piece_id: uuid.UUID
) -> asyncpg.Record | None:
    """The pièce, locked, with its group's date limite and the candidature's state."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """SELECT p.*, g.date_limite, c.account_id, c.academie, c.closed_at
           FROM pieces p
           JOIN groupes g ON g.id = p.groupe_id
           JOIN candidatures c ON c.candidature_id = p.candidature_id
           WHERE p.id = $1 AND p.candidature_id = $2
           FOR UPDATE OF p""",
        piece_id,
        candidature_id,
    )
    return row


async def by_id_for_update(conn: asyncpg.Connection, piece_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        """SELECT p.*, c.account_id, c.academie, c.closed_at
           FROM pieces p JOIN candidatures c ON c.candidature_id = p.candidature_id
           WHERE p.id = $1
           FOR UPDATE OF p""",
        piece_id,
    )
    return row


async def of_groupe_for_update(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, groupe_id: uuid.UUID
) -> list[asyncpg.Record]:
    """The active pièces of one group of the candidature, locked, each with its number of
    current files."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT p.*, (SELECT count(*) FROM piece_files f
                        WHERE f.piece_id = p.id AND f.replaced_at IS NULL
                          AND f.deleted_at IS NULL) AS files
           FROM pieces p
           WHERE p.candidature_id = $1 AND p.groupe_id = $2 AND p.active
           ORDER BY p.created_at, p.code, p.ref
           FOR UPDATE OF p""",
        candidature_id,
        groupe_id,
    )
    return rows


async def validate(conn: asyncpg.Connection, piece_ids: list[uuid.UUID], at: datetime) -> None:
    await conn.execute(
        "UPDATE pieces SET validated_at = $2 WHERE id = ANY($1) AND validated_at IS NULL",
        piece_ids,
        at,
    )


async def reopen(conn: asyncpg.Connection, piece_id: uuid.UUID) -> None:
    """A new file on a non-conforme pièce: not checked yet (guide, case 1)."""
    await conn.execute(
        """UPDATE pieces SET status = NULL, received_at = NULL
           WHERE id = $1 AND status = 'non_conforme'""",
        piece_id,
    )


async def set_status(
    conn: asyncpg.Connection,
    piece_id: uuid.UUID,
    *,
    status: str,
    comment: str | None,
    received_at: datetime | None,
    at: datetime,
    by: uuid.UUID,
    unlock: bool,
) -> None:
    await conn.execute(
        """UPDATE pieces SET status = $2, status_comment = $3,
                             received_at = COALESCE($4, received_at),
                             status_changed_at = $5, status_changed_by = $6,
                             validated_at = CASE WHEN $7 THEN NULL ELSE validated_at END
           WHERE id = $1""",
        piece_id,
        status,
        comment,
        received_at,
        at,
        by,
        unlock,
    )


async def insert_requested(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    groupe_id: uuid.UUID,
    wanted: Wanted,
    at: datetime,
    by: uuid.UUID,
) -> asyncpg.Record:
    row: asyncpg.Record = await conn.fetchrow(
        """INSERT INTO pieces (id, candidature_id, groupe_id, code, ref, libelle, formats,
                               max_bytes, created_at, requested_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           RETURNING *""",
        uuid.uuid4(),
        candidature_id,
        groupe_id,
        wanted.code,
        wanted.ref,
        wanted.libelle,
        list(wanted.formats),
        wanted.max_bytes,
        at,
        by,
    )
    return row
