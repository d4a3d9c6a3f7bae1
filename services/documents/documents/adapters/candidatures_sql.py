"""The candidatures the service has heard of (owner, listing fields, withdrawn/rejected)."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from shared.events.catalogue import CandidatureRef


async def record(conn: asyncpg.Connection, ref: CandidatureRef, version: int = 0) -> None:
    """Insert or refresh a candidature from any of its events; the version only grows."""
    await conn.execute(
        """INSERT INTO candidatures (candidature_id, account_id, academie, examen, session,
                                     specialite_libelle, numero_candidat, numero_inscription,
                                     latest_version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (candidature_id) DO UPDATE SET
               specialite_libelle = CASE WHEN EXCLUDED.latest_version
                                             >= candidatures.latest_version
                                         THEN EXCLUDED.specialite_libelle
                                         ELSE candidatures.specialite_libelle END,
               latest_version = GREATEST(candidatures.latest_version, EXCLUDED.latest_version),
               updated_at = now()""",
        ref.candidature_id,
        ref.account_id,
        ref.academie.code,
        ref.examen.code,
        ref.session,
        ref.specialite_libelle,
        ref.numero_candidat,
        ref.numero_inscription,
        version,
    )


async def mark_withdrawn(conn: asyncpg.Connection, candidature_id: uuid.UUID, at: datetime) -> None:
    await conn.execute(
        """UPDATE candidatures SET withdrawn_at = COALESCE(withdrawn_at, $2), updated_at = now()
           WHERE candidature_id = $1""",
        candidature_id,
        at,
    )


async def mark_rejected(conn: asyncpg.Connection, candidature_id: uuid.UUID, at: datetime) -> None:
    await conn.execute(
        """UPDATE candidatures SET rejected_at = COALESCE(rejected_at, $2), updated_at = now()
           WHERE candidature_id = $1""",
        candidature_id,
        at,
    )
