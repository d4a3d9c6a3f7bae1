"""SQL of the retention (migration 011): which session + académie is due, a batch of its
candidatures, and their anonymisation."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

# What a snapshot keeps once anonymised: the numbers and the référentiel (codes and labels,
# the épreuves and their positions), never who the candidate is, their diplôme or acquis, or
# their health answers.
KEPT_CANDIDATURE = [
    "candidature_id",
    "examen",
    "session",
    "academie",
    "specialite_code",
    "specialite_libelle",
    "numero_candidat",
    "numero_inscription",
]
KEPT_RECAPITULATIF = [
    "categorie",
    "categorie_code",
    "etablissement",
    "etablissement_code",
    "forme_passage",
    "epreuves",
]


async def due(conn: asyncpg.Connection, ended_before: datetime) -> list[asyncpg.Record]:
    """(examen, session, académie) holding candidatures not yet anonymised whose session ended
    (the last closing instant of all its windows) at or before `ended_before`. A session
    without any window has no end and is kept."""
    rows: list[asyncpg.Record] = await conn.fetch(
        """WITH ended AS (
               SELECT examen_code, session_annee FROM fenetres
               GROUP BY examen_code, session_annee
               HAVING max(fermeture) <= $1)
           SELECT DISTINCT c.examen_code, c.session_annee, c.academie_code
           FROM candidatures c JOIN ended USING (examen_code, session_annee)
           WHERE c.anonymised_at IS NULL
           ORDER BY 1, 2, 3""",
        ended_before,
    )
    return rows


async def next_batch(
    conn: asyncpg.Connection, examen: str, session: int, academie: str, limit: int
) -> list[uuid.UUID]:
    """Up to `limit` candidatures left in the session + académie, locked as a write locks them
    (a late write waits, then finds the candidature anonymised)."""
    rows = await conn.fetch(
        """SELECT id FROM candidatures
           WHERE examen_code = $1 AND session_annee = $2 AND academie_code = $3
             AND anonymised_at IS NULL
           ORDER BY id LIMIT $4 FOR UPDATE""",
        examen,
        session,
        academie,
        limit,
    )
    return [row["id"] for row in rows]


async def anonymise(conn: asyncpg.Connection, ids: list[uuid.UUID], at: datetime) -> None:
    """Drafts (never saved, counted nowhere) are deleted; saved candidatures keep their numbers,
    statut, dates and référentiel codes, and lose the account, the tabs' saisie, the names, the
    snapshots' personal data, the health answers, the aménagements granted and the decisions'
    free-text reasons. The numéro de candidat's link to the account goes too."""
    await conn.execute(
        """DELETE FROM numeros_candidat n USING candidatures c
           WHERE c.id = ANY($1::uuid[]) AND n.account_id = c.account_id
             AND n.examen_code = c.examen_code AND n.session_annee = c.session_annee""",
        ids,
    )
    await conn.execute(
        "DELETE FROM candidatures WHERE id = ANY($1::uuid[]) AND version = 0",
        ids,
    )
    await conn.execute(
        "DELETE FROM candidature_amenagements WHERE candidature_id = ANY($1::uuid[])", ids
    )
    await conn.execute("DELETE FROM candidature_sante WHERE candidature_id = ANY($1::uuid[])", ids)
    await conn.execute(
        """UPDATE candidature_decisions SET reason = '(anonymisé)'
           WHERE candidature_id = ANY($1::uuid[])""",
        ids,
    )
    await conn.execute(
        """UPDATE candidature_versions SET snapshot = jsonb_build_object(
               'anonymised', true,
               'candidature', COALESCE((SELECT jsonb_object_agg(key, value)
                                        FROM jsonb_each(snapshot -> 'candidature')
                                        WHERE key = ANY($2::text[])), '{}'),
               'recapitulatif', COALESCE((SELECT jsonb_object_agg(key, value)
                                          FROM jsonb_each(snapshot -> 'recapitulatif')
                                          WHERE key = ANY($3::text[])), '{}'),
               'saisie', '{}'::jsonb)
           WHERE candidature_id = ANY($1::uuid[])""",
        ids,
        KEPT_CANDIDATURE,
        KEPT_RECAPITULATIF,
    )
    await conn.execute(
        """UPDATE candidatures
           SET account_id = gen_random_uuid(), saisie = '{}', nom = NULL, prenoms = NULL,
               nom_cle = NULL, anonymised_at = $2
           WHERE id = ANY($1::uuid[])""",
        ids,
        at,
    )
