"""Regroupements: a date limite per examen, session, académie and group code."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg


async def ensure(
    conn: asyncpg.Connection,
    *,
    examen: str,
    session: int,
    academie: str,
    code: str,
    libelle: str,
    zone: str,
    default_date_limite: datetime,
) -> uuid.UUID:
    """The group's id, created with the default date limite when it is new."""
    found: uuid.UUID = await conn.fetchval(
        """INSERT INTO groupes (id, examen, session, academie, code, libelle, fuseau_horaire,
                                date_limite)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (examen, session, academie, code)
               DO UPDATE SET libelle = groupes.libelle
           RETURNING id""",
        uuid.uuid4(),
        examen,
        session,
        academie,
        code,
        libelle,
        zone,
        default_date_limite,
    )
    return found


async def set_date_limite(
    conn: asyncpg.Connection,
    *,
    examen: str,
    session: int,
    academie: str,
    code: str,
    libelle: str,
    zone: str,
    date_limite: datetime,
    set_by: uuid.UUID,
) -> tuple[asyncpg.Record, datetime | None]:
    """Create or change the group's date limite; also the previous one (None when new)."""
    previous: datetime | None = await conn.fetchval(
        """SELECT date_limite FROM groupes
           WHERE examen = $1 AND session = $2 AND academie = $3 AND code = $4 FOR UPDATE""",
        examen,
        session,
        academie,
        code,
    )
    row: asyncpg.Record = await conn.fetchrow(
        """INSERT INTO groupes (id, examen, session, academie, code, libelle, fuseau_horaire,
                                date_limite, date_limite_set_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (examen, session, academie, code) DO UPDATE SET
               date_limite = EXCLUDED.date_limite,
               date_limite_set_by = EXCLUDED.date_limite_set_by
           RETURNING *""",
        uuid.uuid4(),
        examen,
        session,
        academie,
        code,
        libelle,
        zone,
        date_limite,
        set_by,
    )
    return row, previous


async def list_groupes(
    conn: asyncpg.Connection, examen: str, session: int, academies: list[str] | None
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT * FROM groupes
           WHERE examen = $1 AND session = $2 AND candidature_id IS NULL
             AND ($3::text[] IS NULL OR academie = ANY($3))
           ORDER BY academie, code""",
        examen,
        session,
        academies,
    )
    return rows


async def insert_for_candidature(
    conn: asyncpg.Connection,
    candidature: asyncpg.Record,
    *,
    code: str,
    libelle: str,
    date_limite: datetime,
    set_by: uuid.UUID,
) -> uuid.UUID:
    """A group of one candidature's own (a gestionnaire's request)."""
    found: uuid.UUID = await conn.fetchval(
        """INSERT INTO groupes (id, examen, session, academie, code, libelle, fuseau_horaire,
                                date_limite, date_limite_set_by, candidature_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           RETURNING id""",
        uuid.uuid4(),
        candidature["examen"],
        candidature["session"],
        candidature["academie"],
        code,
        libelle,
        candidature["fuseau_horaire"],
        date_limite,
        set_by,
        candidature["candidature_id"],
    )
    return found
