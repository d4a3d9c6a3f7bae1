"""SQL of the Grand Public windows."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from registration.domain.fenetres import Periode

OUVERTURE_COLUMNS = """f.id, f.examen_code, x.libelle AS examen_libelle, f.session_annee,
    f.academie_code, a.libelle AS academie_libelle, a.fuseau_horaire, f.ouverture, f.fermeture"""


async def list_ouvertures(
    conn: asyncpg.Connection, examen: str | None, annee: int | None, academie: str | None
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT {OUVERTURE_COLUMNS}
            FROM fenetres f
            JOIN academies a ON a.code = f.academie_code
            JOIN examens x ON x.code = f.examen_code
            WHERE ($1::text IS NULL OR f.examen_code = $1)
              AND ($2::int IS NULL OR f.session_annee = $2)
              AND ($3::text IS NULL OR f.academie_code = $3)
              AND a.retired_at IS NULL AND x.retired_at IS NULL
            ORDER BY f.examen_code, f.session_annee, a.libelle, f.ouverture""",
        examen,
        annee,
        academie,
    )
    return rows


async def get_ouverture(conn: asyncpg.Connection, fenetre_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""SELECT {OUVERTURE_COLUMNS}
            FROM fenetres f
            JOIN academies a ON a.code = f.academie_code
            JOIN examens x ON x.code = f.examen_code
            WHERE f.id = $1""",
        fenetre_id,
    )


async def lock_fenetre(conn: asyncpg.Connection, fenetre_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT id, examen_code, session_annee, academie_code FROM fenetres
           WHERE id = $1 FOR UPDATE""",
        fenetre_id,
    )


async def overlapping(
    conn: asyncpg.Connection,
    examen: str,
    annee: int,
    academie: str,
    periode: Periode,
    excluding: int | None = None,
) -> list[int]:
    rows = await conn.fetch(
        """SELECT id FROM fenetres
           WHERE examen_code = $1 AND session_annee = $2 AND academie_code = $3
             AND ouverture < $5 AND $4 < fermeture
             AND id IS DISTINCT FROM $6
           ORDER BY id""",
        examen,
        annee,
        academie,
        periode.ouverture,
        periode.fermeture,
        excluding,
    )
    return [row["id"] for row in rows]


async def insert_fenetre(
    conn: asyncpg.Connection,
    examen: str,
    annee: int,
    academie: str,
    periode: Periode,
    changed_by: uuid.UUID | None,
) -> int:
    fenetre_id: int = await conn.fetchval(
        """INSERT INTO fenetres
               (examen_code, session_annee, academie_code, ouverture, fermeture, changed_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
        examen,
        annee,
        academie,
        periode.ouverture,
        periode.fermeture,
        changed_by,
    )
    return fenetre_id


async def insert_fenetre_if_none(
    conn: asyncpg.Connection, examen: str, annee: int, academie: str, periode: Periode
) -> bool:
    """The seed's window, unless the académie already has one (a gestionnaire's wins)."""
    status = await conn.execute(
        """INSERT INTO fenetres (examen_code, session_annee, academie_code, ouverture, fermeture)
           SELECT $1, $2, $3, $4, $5
           WHERE NOT EXISTS (SELECT FROM fenetres
                             WHERE examen_code = $1 AND session_annee = $2
                               AND academie_code = $3)""",
        examen,
        annee,
        academie,
        periode.ouverture,
        periode.fermeture,
    )
    return bool(status == "INSERT 0 1")


async def move_fenetre(
    conn: asyncpg.Connection, fenetre_id: int, periode: Periode, changed_by: uuid.UUID
) -> None:
    await conn.execute(
        """UPDATE fenetres SET ouverture = $2, fermeture = $3, changed_by = $4, changed_at = now()
           WHERE id = $1""",
        fenetre_id,
        periode.ouverture,
        periode.fermeture,
        changed_by,
    )


async def open_fenetre_at(
    conn: asyncpg.Connection, examen: str, annee: int, academie: str, at: datetime
) -> asyncpg.Record | None:
    """The window of (examen, session, académie) that is open at `at`, if one is."""
    return await conn.fetchrow(
        """SELECT id, ouverture, fermeture FROM fenetres
           WHERE examen_code = $1 AND session_annee = $2 AND academie_code = $3
             AND ouverture <= $4 AND $4 < fermeture""",
        examen,
        annee,
        academie,
        at,
    )


async def lock_last_fenetres(
    conn: asyncpg.Connection, examen: str, annee: int, academie: str | None
) -> list[asyncpg.Record]:
    """Per académie (or the one named), its last window of (examen, session), locked."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT id, academie_code, ouverture, fermeture FROM fenetres
           WHERE id IN (SELECT DISTINCT ON (academie_code) id FROM fenetres
                        WHERE examen_code = $1 AND session_annee = $2
                          AND ($3::text IS NULL OR academie_code = $3)
                        ORDER BY academie_code, fermeture DESC)
           ORDER BY academie_code
           FOR UPDATE""",
        examen,
        annee,
        academie,
    )
    return rows
