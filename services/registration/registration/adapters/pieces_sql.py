"""SQL on the groups of pièces declared provided (the uploads service's PiecesFournies)."""

from __future__ import annotations

import uuid

import asyncpg

from shared.events.catalogue import PiecesFournies, PieceStatusChanged


async def record_fournies(conn: asyncpg.Connection, declared: PiecesFournies) -> None:
    """The group's declaration, unless a later one is already recorded (events may arrive out
    of order). Nothing for a candidature this service does not hold (purged meanwhile)."""
    await conn.execute(
        """INSERT INTO pieces_fournies (candidature_id, groupe_id, groupe_libelle, pieces,
                                        fournies_at)
           SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM candidatures WHERE id = $1)
           ON CONFLICT (candidature_id, groupe_id) DO UPDATE SET
               groupe_libelle = EXCLUDED.groupe_libelle,
               pieces = EXCLUDED.pieces,
               fournies_at = EXCLUDED.fournies_at
           WHERE pieces_fournies.fournies_at < EXCLUDED.fournies_at""",
        declared.candidature_id,
        declared.groupe_id,
        declared.groupe_libelle,
        len(declared.piece_ids),
        declared.fournies_at,
    )


async def fournies_of(conn: asyncpg.Connection, candidature_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """SELECT groupe_id, groupe_libelle, pieces, fournies_at FROM pieces_fournies
               WHERE candidature_id = $1 ORDER BY fournies_at, groupe_id""",
            candidature_id,
        )
    )


async def record_status(conn: asyncpg.Connection, changed: PieceStatusChanged) -> None:
    """The pièce's status, unless a later change is already recorded."""
    await conn.execute(
        """INSERT INTO pieces_statuts (piece_id, candidature_id, statut, commentaire, changed_at)
           SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM candidatures WHERE id = $2)
           ON CONFLICT (piece_id) DO UPDATE SET
               statut = EXCLUDED.statut,
               commentaire = EXCLUDED.commentaire,
               changed_at = EXCLUDED.changed_at
           WHERE pieces_statuts.changed_at < EXCLUDED.changed_at""",
        changed.piece_id,
        changed.candidature_id,
        changed.status,
        changed.comment,
        changed.changed_at,
    )


async def statuses_of(conn: asyncpg.Connection, candidature_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            """SELECT piece_id, statut, commentaire, changed_at FROM pieces_statuts
               WHERE candidature_id = $1 ORDER BY changed_at, piece_id""",
            candidature_id,
        )
    )
