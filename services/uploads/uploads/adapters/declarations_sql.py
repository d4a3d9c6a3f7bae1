"""J'ai fourni per candidature and group, and the back office's list of declared groups."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg


async def record(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, groupe_id: uuid.UUID, at: datetime
) -> None:
    await conn.execute(
        """INSERT INTO declarations (candidature_id, groupe_id, declared_at) VALUES ($1, $2, $3)
           ON CONFLICT (candidature_id, groupe_id) DO UPDATE SET declared_at = $3""",
        candidature_id,
        groupe_id,
        at,
    )


async def date_limite(conn: asyncpg.Connection, groupe_id: uuid.UUID) -> datetime:
    found: datetime = await conn.fetchval(
        "SELECT date_limite FROM groupes WHERE id = $1", groupe_id
    )
    return found


async def groupe_libelle(conn: asyncpg.Connection, groupe_id: uuid.UUID) -> str:
    found: str = await conn.fetchval("SELECT libelle FROM groupes WHERE id = $1", groupe_id)
    return found


# Per declared group: its active pièces counted by state. `a_controler`: declared, not yet
# found conforme or non conforme.
WAITING = """
WITH counted AS (
    SELECT d.candidature_id, d.groupe_id, d.declared_at,
           count(*) AS pieces,
           count(*) FILTER (WHERE p.validated_at IS NOT NULL
                            AND (p.status IS NULL OR p.status = 'recue')) AS a_controler,
           count(*) FILTER (WHERE p.status = 'non_conforme') AS non_conformes,
           count(*) FILTER (WHERE p.status = 'conforme') AS conformes
    FROM declarations d
    JOIN pieces p ON p.candidature_id = d.candidature_id AND p.groupe_id = d.groupe_id
                 AND p.active
    GROUP BY d.candidature_id, d.groupe_id, d.declared_at
)
SELECT k.*, g.libelle AS groupe_libelle, g.date_limite, c.academie, c.specialite_code,
       c.specialite_libelle, c.numero_inscription, c.nom, c.prenoms
FROM counted k
JOIN candidatures c ON c.candidature_id = k.candidature_id
JOIN groupes g ON g.id = k.groupe_id
WHERE c.closed_at IS NULL
  AND ($1::text[] IS NULL OR c.academie = ANY($1))
  AND ($2::text IS NULL OR c.specialite_code = $2)
  AND ($3::timestamptz IS NULL OR k.declared_at >= $3)
  AND ($4::timestamptz IS NULL OR k.declared_at < $4)
  AND CASE $5::text
        WHEN 'a_controler' THEN k.a_controler > 0
        WHEN 'non_conforme' THEN k.non_conformes > 0
        WHEN 'conforme' THEN k.conformes = k.pieces
        ELSE true END
  AND ($6::timestamptz IS NULL
       OR (k.declared_at, k.candidature_id, k.groupe_id) > ($6, $7::uuid, $8::uuid))
ORDER BY k.declared_at, k.candidature_id, k.groupe_id
LIMIT $9
"""


async def waiting(
    conn: asyncpg.Connection,
    *,
    academies: list[str] | None,
    specialite: str | None,
    since: datetime | None,
    until: datetime | None,
    status: str,
    after: tuple[datetime, uuid.UUID, uuid.UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Oldest declaration first (keyset: rows declared meanwhile never shift a page)."""
    position = after or (None, None, None)
    rows: list[asyncpg.Record] = await conn.fetch(
        WAITING, academies, specialite, since, until, status, *position, limit
    )
    return rows
