"""SQL of the candidature: drafts and working copies, versions, numbers, health answers apart."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from registration.domain.referentiel import Etablissement

CANDIDATURE_COLUMNS = """c.id, c.account_id, c.examen_code, c.session_annee, c.academie_code,
    c.statut, c.saisie, c.version, c.numero_candidat, c.numero_inscription, c.created_at,
    c.updated_at, c.withdrawn_at"""


async def insert_candidature(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    account_id: uuid.UUID,
    examen: str,
    session: int,
    academie: str,
    at: datetime,
) -> bool:
    """False when the account already has a draft or active candidature for the examen and
    session (the partial unique index decides, concurrent requests included)."""
    inserted = await conn.fetchval(
        """INSERT INTO candidatures (id, account_id, examen_code, session_annee, academie_code,
                                     statut, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, 'brouillon', $6, $6)
           ON CONFLICT (account_id, examen_code, session_annee)
               WHERE statut IN ('brouillon', 'active') DO NOTHING
           RETURNING id""",
        candidature_id,
        account_id,
        examen,
        session,
        academie,
        at,
    )
    return inserted is not None


async def current_of(
    conn: asyncpg.Connection, account_id: uuid.UUID, examen: str, session: int
) -> uuid.UUID | None:
    found: uuid.UUID | None = await conn.fetchval(
        """SELECT id FROM candidatures
           WHERE account_id = $1 AND examen_code = $2 AND session_annee = $3
             AND statut IN ('brouillon', 'active')""",
        account_id,
        examen,
        session,
    )
    return found


async def get_candidature(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, account_id: uuid.UUID, *, lock: bool
) -> asyncpg.Record | None:
    """The account's candidature (someone else's reads as none); `lock` serialises the
    writers of one candidature (tabs, enregistrer, désinscription)."""
    return await conn.fetchrow(
        f"""SELECT {CANDIDATURE_COLUMNS} FROM candidatures c
            WHERE c.id = $1 AND c.account_id = $2 {"FOR UPDATE" if lock else ""}""",
        candidature_id,
        account_id,
    )


async def set_tab(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    onglet: str,
    data: dict[str, Any],
    at: datetime,
) -> None:
    await conn.execute(
        """UPDATE candidatures SET saisie = jsonb_set(saisie, ARRAY[$2::text], $3::jsonb),
                                   updated_at = $4
           WHERE id = $1""",
        candidature_id,
        onglet,
        data,
        at,
    )


async def set_sante(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    version: int,
    handicap: bool,
    amenagement: bool,
) -> None:
    await conn.execute(
        """INSERT INTO candidature_sante (candidature_id, version, handicap, amenagement)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (candidature_id, version) DO UPDATE
               SET handicap = excluded.handicap, amenagement = excluded.amenagement""",
        candidature_id,
        version,
        handicap,
        amenagement,
    )


async def get_sante(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, version: int
) -> tuple[bool, bool] | None:
    row = await conn.fetchrow(
        """SELECT handicap, amenagement FROM candidature_sante
           WHERE candidature_id = $1 AND version = $2""",
        candidature_id,
        version,
    )
    return None if row is None else (row["handicap"], row["amenagement"])


async def numero_candidat(
    conn: asyncpg.Connection,
    account_id: uuid.UUID,
    examen: str,
    session: int,
    make: Any,
) -> str:
    """The account's numéro for the session: kept from an earlier candidature, otherwise
    made from the next sequence value (`make(sequence) -> str`)."""
    existing: str | None = await conn.fetchval(
        """SELECT numero FROM numeros_candidat
           WHERE account_id = $1 AND examen_code = $2 AND session_annee = $3""",
        account_id,
        examen,
        session,
    )
    if existing is not None:
        return existing
    sequence = await conn.fetchval("SELECT nextval('numero_candidat_seq')")
    inserted: str | None = await conn.fetchval(
        """INSERT INTO numeros_candidat (account_id, examen_code, session_annee, numero)
           VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, examen_code, session_annee)
           DO NOTHING RETURNING numero""",
        account_id,
        examen,
        session,
        make(sequence),
    )
    if inserted is not None:
        return inserted
    kept: str = await conn.fetchval(
        """SELECT numero FROM numeros_candidat
           WHERE account_id = $1 AND examen_code = $2 AND session_annee = $3""",
        account_id,
        examen,
        session,
    )
    return kept


async def next_inscription_sequence(conn: asyncpg.Connection) -> int:
    value: int = await conn.fetchval("SELECT nextval('numero_inscription_seq')")
    return value


async def save_version(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    version: int,
    saved_at: datetime,
    closes_at: datetime,
    snapshot: dict[str, Any],
    numero_candidat: str,
    numero_inscription: str,
) -> None:
    await conn.execute(
        """INSERT INTO candidature_versions (candidature_id, version, saved_at, closes_at,
                                             snapshot)
           VALUES ($1, $2, $3, $4, $5)""",
        candidature_id,
        version,
        saved_at,
        closes_at,
        snapshot,
    )
    await conn.execute(
        """UPDATE candidatures SET statut = 'active', version = $2, numero_candidat = $3,
                                   numero_inscription = $4, updated_at = $5
           WHERE id = $1""",
        candidature_id,
        version,
        numero_candidat,
        numero_inscription,
        saved_at,
    )


async def list_versions(
    conn: asyncpg.Connection, candidature_id: uuid.UUID
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT version, saved_at, closes_at FROM candidature_versions
           WHERE candidature_id = $1 ORDER BY version""",
        candidature_id,
    )
    return rows


async def get_version(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, version: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT version, saved_at, closes_at, snapshot FROM candidature_versions
           WHERE candidature_id = $1 AND version = $2""",
        candidature_id,
        version,
    )


async def withdraw(conn: asyncpg.Connection, candidature_id: uuid.UUID, at: datetime) -> None:
    await conn.execute(
        """UPDATE candidatures SET statut = 'desinscrite', withdrawn_at = $2, updated_at = $2
           WHERE id = $1""",
        candidature_id,
        at,
    )


async def list_active_open(
    conn: asyncpg.Connection, account_id: uuid.UUID, at: datetime
) -> list[asyncpg.Record]:
    """Mes inscriptions: the account's active candidatures whose window is open at `at`, each
    with its current version."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT c.id, c.examen_code, c.session_annee, c.academie_code, c.version,
                  c.numero_candidat, c.numero_inscription, v.saved_at, v.snapshot,
                  f.fermeture, a.fuseau_horaire
           FROM candidatures c
           JOIN candidature_versions v ON v.candidature_id = c.id AND v.version = c.version
           JOIN academies a ON a.code = c.academie_code
           JOIN fenetres f ON (f.examen_code, f.session_annee, f.academie_code)
                              = (c.examen_code, c.session_annee, c.academie_code)
                          AND f.ouverture <= $2 AND $2 < f.fermeture
           WHERE c.account_id = $1 AND c.statut = 'active'
           ORDER BY v.saved_at DESC""",
        account_id,
        at,
    )
    return rows


async def nearest_fenetre(
    conn: asyncpg.Connection, examen: str, session: int, academie: str, at: datetime
) -> asyncpg.Record | None:
    """For a refusal: the next window to open, else the last one closed."""
    return await conn.fetchrow(
        """SELECT f.ouverture, f.fermeture, a.fuseau_horaire FROM fenetres f
           JOIN academies a ON a.code = f.academie_code
           WHERE f.examen_code = $1 AND f.session_annee = $2 AND f.academie_code = $3
           ORDER BY (f.ouverture > $4) DESC,
                    CASE WHEN f.ouverture > $4 THEN f.ouverture END ASC,
                    f.fermeture DESC
           LIMIT 1""",
        examen,
        session,
        academie,
        at,
    )


async def get_etablissement(conn: asyncpg.Connection, code: str) -> Etablissement | None:
    row = await conn.fetchrow(
        """SELECT e.code, e.libelle, e.academie_code AS academie,
                  coalesce(array_agg(ec.categorie_code ORDER BY ec.categorie_code)
                           FILTER (WHERE ec.categorie_code IS NOT NULL), '{}') AS categories
           FROM etablissements e
           LEFT JOIN etablissement_categories ec ON ec.etablissement_code = e.code
           WHERE e.code = $1 AND e.retired_at IS NULL
           GROUP BY e.code""",
        code,
    )
    return None if row is None else Etablissement(**row)


async def facultatives_max(conn: asyncpg.Connection, examen: str, session: int) -> int | None:
    found: int | None = await conn.fetchval(
        """SELECT facultatives_max FROM sessions
           WHERE examen_code = $1 AND annee = $2 AND retired_at IS NULL""",
        examen,
        session,
    )
    return found
