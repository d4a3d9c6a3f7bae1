"""The candidatures the service has heard of (owner, académie and zone, listing fields)."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from shared.events.catalogue import CandidatureRef


async def record(
    conn: asyncpg.Connection,
    ref: CandidatureRef,
    zone: str,
    version: int = 0,
    closes_at: datetime | None = None,
) -> bool:
    """Insert or refresh from any of its events; True when `version` is the newest heard of
    (an older version, delivered late, changes nothing)."""
    newest: bool = await conn.fetchval(
        """INSERT INTO candidatures (candidature_id, account_id, academie, fuseau_horaire,
                                     examen, session, specialite_code, specialite_libelle,
                                     numero_candidat, numero_inscription, nom, prenoms,
                                     latest_version, closes_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
           ON CONFLICT (candidature_id) DO UPDATE SET
               specialite_code = CASE WHEN EXCLUDED.latest_version > candidatures.latest_version
                                      THEN EXCLUDED.specialite_code
                                      ELSE candidatures.specialite_code END,
               specialite_libelle = CASE WHEN EXCLUDED.latest_version
                                             > candidatures.latest_version
                                         THEN EXCLUDED.specialite_libelle
                                         ELSE candidatures.specialite_libelle END,
               closes_at = COALESCE(EXCLUDED.closes_at, candidatures.closes_at),
               latest_version = GREATEST(candidatures.latest_version, EXCLUDED.latest_version),
               updated_at = now()
           RETURNING latest_version = $13""",
        ref.candidature_id,
        ref.account_id,
        ref.academie.code,
        zone,
        ref.examen.code,
        ref.session,
        ref.specialite_code,
        ref.specialite_libelle,
        ref.numero_candidat,
        ref.numero_inscription,
        ref.nom,
        ref.prenoms,
        version,
        closes_at,
    )
    return newest


async def mark_closed(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, at: datetime, reason: str
) -> None:
    await conn.execute(
        """UPDATE candidatures SET closed_at = COALESCE(closed_at, $2),
                                   closed_reason = COALESCE(closed_reason, $3),
                                   updated_at = now()
           WHERE candidature_id = $1""",
        candidature_id,
        at,
        reason,
    )


async def owned(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, account_id: uuid.UUID
) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM candidatures WHERE candidature_id = $1 AND account_id = $2",
        candidature_id,
        account_id,
    )
    return row


async def get(conn: asyncpg.Connection, candidature_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM candidatures WHERE candidature_id = $1", candidature_id
    )
    return row
