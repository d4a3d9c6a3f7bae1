"""SQL of the référentiel: reads for the public endpoints, upserts for imports, retirement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from registration.domain.referentiel import (
    Academie,
    Categorie,
    Coordonnees,
    Diplome,
    Epreuve,
    Etablissement,
    Examen,
    ServiceGestionnaire,
    Session,
    Specialite,
    TypeAcquis,
)

# --- reads -------------------------------------------------------------------------------------


async def list_examens(conn: asyncpg.Connection) -> list[Examen]:
    rows = await conn.fetch(
        "SELECT code, libelle, centres_etrangers FROM examens WHERE retired_at IS NULL "
        "ORDER BY code"
    )
    return [Examen(**row) for row in rows]


async def list_sessions(conn: asyncpg.Connection, examen: str) -> list[Session]:
    rows = await conn.fetch(
        """SELECT examen_code AS examen, annee, libelle, facultatives_max FROM sessions
           WHERE examen_code = $1 AND retired_at IS NULL ORDER BY annee""",
        examen,
    )
    return [Session(**row) for row in rows]


ACADEMIE_COLUMNS = "code, libelle, fuseau_horaire, outre_mer, etranger"


async def list_academies(conn: asyncpg.Connection) -> list[Academie]:
    rows = await conn.fetch(
        f"SELECT {ACADEMIE_COLUMNS} FROM academies WHERE retired_at IS NULL ORDER BY code"
    )
    return [Academie(**row) for row in rows]


async def get_academie(conn: asyncpg.Connection, code: str) -> Academie | None:
    row = await conn.fetchrow(
        f"SELECT {ACADEMIE_COLUMNS} FROM academies WHERE code = $1 AND retired_at IS NULL", code
    )
    return None if row is None else Academie(**row)


async def get_service_gestionnaire(
    conn: asyncpg.Connection, academie: str, examen: str | None
) -> Coordonnees | None:
    """The examen's own office in the académie if it has one, else the académie's."""
    row = await conn.fetchrow(
        """SELECT libelle, adresse, email, telephone, horaires FROM (
               SELECT 0 AS rang, libelle, adresse, email, telephone, horaires
               FROM services_gestionnaires_examens
               WHERE academie_code = $1 AND examen_code = $2
               UNION ALL
               SELECT 1, libelle, adresse, email, telephone, horaires
               FROM services_gestionnaires WHERE academie_code = $1
           ) offices
           WHERE EXISTS (SELECT FROM academies WHERE code = $1 AND retired_at IS NULL)
           ORDER BY rang LIMIT 1""",
        academie,
        examen,
    )
    return None if row is None else Coordonnees(**row)


async def get_examen(conn: asyncpg.Connection, code: str) -> Examen | None:
    row = await conn.fetchrow(
        "SELECT code, libelle, centres_etrangers FROM examens "
        "WHERE code = $1 AND retired_at IS NULL",
        code,
    )
    return None if row is None else Examen(**row)


async def session_exists(conn: asyncpg.Connection, examen: str, annee: int) -> bool:
    return bool(
        await conn.fetchval(
            """SELECT EXISTS (SELECT FROM sessions
                  WHERE examen_code = $1 AND annee = $2 AND retired_at IS NULL)""",
            examen,
            annee,
        )
    )


async def list_specialites(conn: asyncpg.Connection, examen: str, annee: int) -> list[Specialite]:
    rows = await conn.fetch(
        """SELECT examen_code AS examen, session_annee AS session, code, libelle
           FROM specialites
           WHERE examen_code = $1 AND session_annee = $2 AND retired_at IS NULL
           ORDER BY libelle""",
        examen,
        annee,
    )
    return [Specialite(**row) for row in rows]


async def get_specialite(
    conn: asyncpg.Connection, examen: str, annee: int, code: str
) -> tuple[Specialite, list[Epreuve]] | None:
    """The spécialité and its épreuves in display order, in one round trip."""
    rows = await conn.fetch(
        """SELECT s.libelle AS specialite_libelle, e.code, e.parent_code AS parent, e.libelle,
                  e.libelle_court, e.nature, e.modes, e.options, e.coefficient, e.rang
           FROM specialites s
           LEFT JOIN epreuves e
             ON (e.examen_code, e.session_annee, e.specialite_code)
                = (s.examen_code, s.session_annee, s.code)
            AND e.retired_at IS NULL
           WHERE s.examen_code = $1 AND s.session_annee = $2 AND s.code = $3
             AND s.retired_at IS NULL
           ORDER BY e.rang, e.code""",
        examen,
        annee,
        code,
    )
    if not rows:
        return None
    key = {"examen": examen, "session": annee, "specialite": code}
    specialite = Specialite(examen=examen, session=annee, code=code, libelle=rows[0][0])
    epreuves = [Epreuve(**key, **_epreuve_fields(row)) for row in rows if row["code"]]
    return specialite, epreuves


def _epreuve_fields(row: asyncpg.Record) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name != "specialite_libelle"}


async def list_categories(conn: asyncpg.Connection) -> list[Categorie]:
    rows = await conn.fetch(
        "SELECT code, libelle, modes, formes FROM categories WHERE retired_at IS NULL "
        "ORDER BY libelle"
    )
    return [Categorie(**row) for row in rows]


async def list_etablissements(
    conn: asyncpg.Connection, academie: str | None, categorie: str | None
) -> list[Etablissement]:
    """National établissements (no académie) are offered in every académie."""
    rows = await conn.fetch(
        """SELECT e.code, e.libelle, e.academie_code AS academie,
                  coalesce(array_agg(ec.categorie_code ORDER BY ec.categorie_code)
                           FILTER (WHERE ec.categorie_code IS NOT NULL), '{}') AS categories
           FROM etablissements e
           LEFT JOIN etablissement_categories ec ON ec.etablissement_code = e.code
           WHERE e.retired_at IS NULL
             AND ($1::text IS NULL OR e.academie_code = $1 OR e.academie_code IS NULL)
           GROUP BY e.code
           HAVING $2::text IS NULL OR $2 = ANY(array_agg(ec.categorie_code))
           ORDER BY e.academie_code NULLS FIRST, e.libelle""",
        academie,
        categorie,
    )
    return [Etablissement(**row) for row in rows]


async def list_types_acquis(conn: asyncpg.Connection) -> list[TypeAcquis]:
    rows = await conn.fetch(
        """SELECT code, libelle, note_min, duree_validite_ans FROM types_acquis
           WHERE retired_at IS NULL ORDER BY code"""
    )
    return [TypeAcquis(**row) for row in rows]


async def list_diplomes(conn: asyncpg.Connection) -> list[Diplome]:
    rows = await conn.fetch(
        """SELECT d.code, d.libelle, d.libelle_court,
                  coalesce(array_agg(x.examen_code || '/' || x.specialite_code || '/'
                                     || x.epreuve_code
                                     ORDER BY x.examen_code, x.specialite_code, x.epreuve_code)
                           FILTER (WHERE x.diplome_code IS NOT NULL), '{}') AS dispenses
           FROM diplomes d LEFT JOIN diplome_dispenses x ON x.diplome_code = d.code
           WHERE d.retired_at IS NULL
           GROUP BY d.code ORDER BY d.libelle"""
    )
    return [Diplome(**row) for row in rows]


async def diplome_dispenses(
    conn: asyncpg.Connection, examen: str, specialite: str
) -> dict[str, frozenset[str]]:
    """Diplôme code → the épreuve codes of this examen and spécialité it dispenses."""
    rows = await conn.fetch(
        """SELECT diplome_code, array_agg(epreuve_code) AS epreuves FROM diplome_dispenses
           WHERE examen_code = $1 AND specialite_code = $2 GROUP BY diplome_code""",
        examen,
        specialite,
    )
    return {row["diplome_code"]: frozenset(row["epreuves"]) for row in rows}


# --- keys an import may refer to ---------------------------------------------------------------


async def codes(conn: asyncpg.Connection, table: str) -> frozenset[str]:
    assert table in {"examens", "academies", "categories"}
    return frozenset(await conn.fetchval(f"SELECT coalesce(array_agg(code), '{{}}') FROM {table}"))


async def session_keys(conn: asyncpg.Connection) -> frozenset[tuple[str, int]]:
    rows = await conn.fetch("SELECT examen_code, annee FROM sessions")
    return frozenset((row[0], row[1]) for row in rows)


async def specialite_keys(conn: asyncpg.Connection) -> frozenset[tuple[str, int, str]]:
    rows = await conn.fetch("SELECT examen_code, session_annee, code FROM specialites")
    return frozenset((row[0], row[1], row[2]) for row in rows)


async def epreuve_parents(
    conn: asyncpg.Connection,
) -> dict[tuple[str, int, str, str], str | None]:
    rows = await conn.fetch(
        "SELECT examen_code, session_annee, specialite_code, code, parent_code FROM epreuves"
    )
    return {(row[0], row[1], row[2], row[3]): row[4] for row in rows}


# --- upserts (re-stating a retired item brings it back) ----------------------------------------


async def upsert_examens(conn: asyncpg.Connection, items: Sequence[Examen]) -> None:
    await conn.executemany(
        """INSERT INTO examens (code, libelle, centres_etrangers) VALUES ($1, $2, $3)
           ON CONFLICT (code) DO UPDATE SET libelle = excluded.libelle,
               centres_etrangers = excluded.centres_etrangers, retired_at = NULL""",
        [(e.code, e.libelle, e.centres_etrangers) for e in items],
    )


async def upsert_sessions(conn: asyncpg.Connection, items: Sequence[Session]) -> None:
    await conn.executemany(
        """INSERT INTO sessions (examen_code, annee, libelle, facultatives_max)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (examen_code, annee) DO UPDATE SET libelle = excluded.libelle,
               facultatives_max = excluded.facultatives_max, retired_at = NULL""",
        [(s.examen, s.annee, s.libelle, s.facultatives_max) for s in items],
    )


async def upsert_academies(conn: asyncpg.Connection, items: Sequence[Academie]) -> None:
    await conn.executemany(
        """INSERT INTO academies (code, libelle, fuseau_horaire, outre_mer, etranger)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (code) DO UPDATE SET libelle = excluded.libelle,
               fuseau_horaire = excluded.fuseau_horaire, outre_mer = excluded.outre_mer,
               etranger = excluded.etranger, retired_at = NULL""",
        [(a.code, a.libelle, a.fuseau_horaire, a.outre_mer, a.etranger) for a in items],
    )


async def upsert_categories(conn: asyncpg.Connection, items: Sequence[Categorie]) -> None:
    await conn.executemany(
        """INSERT INTO categories (code, libelle, modes, formes) VALUES ($1, $2, $3, $4)
           ON CONFLICT (code) DO UPDATE SET libelle = excluded.libelle,
               modes = excluded.modes, formes = excluded.formes, retired_at = NULL""",
        [(c.code, c.libelle, [str(m) for m in c.modes], [str(f) for f in c.formes]) for c in items],
    )


async def upsert_etablissements(conn: asyncpg.Connection, items: Sequence[Etablissement]) -> None:
    await conn.executemany(
        """INSERT INTO etablissements (code, libelle, academie_code) VALUES ($1, $2, $3)
           ON CONFLICT (code) DO UPDATE SET libelle = excluded.libelle,
               academie_code = excluded.academie_code, retired_at = NULL""",
        [(e.code, e.libelle, e.academie) for e in items],
    )


async def replace_etablissement_categories(
    conn: asyncpg.Connection, items: Sequence[Etablissement]
) -> None:
    await conn.execute(
        "DELETE FROM etablissement_categories WHERE etablissement_code = ANY($1::text[])",
        [e.code for e in items],
    )
    await conn.executemany(
        "INSERT INTO etablissement_categories (etablissement_code, categorie_code) VALUES ($1, $2)",
        [(e.code, categorie) for e in items for categorie in e.categories],
    )


async def upsert_specialites(conn: asyncpg.Connection, items: Sequence[Specialite]) -> None:
    await conn.executemany(
        """INSERT INTO specialites (examen_code, session_annee, code, libelle)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (examen_code, session_annee, code) DO UPDATE
               SET libelle = excluded.libelle, retired_at = NULL""",
        [(s.examen, s.session, s.code, s.libelle) for s in items],
    )


async def upsert_epreuves(conn: asyncpg.Connection, items: Sequence[Epreuve]) -> None:
    await conn.executemany(
        """INSERT INTO epreuves (examen_code, session_annee, specialite_code, code, parent_code,
                                 libelle, nature, modes, options, coefficient, rang,
                                 libelle_court)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (examen_code, session_annee, specialite_code, code) DO UPDATE
               SET parent_code = excluded.parent_code, libelle = excluded.libelle,
                   libelle_court = excluded.libelle_court,
                   nature = excluded.nature, modes = excluded.modes,
                   options = excluded.options, coefficient = excluded.coefficient,
                   rang = excluded.rang, retired_at = NULL""",
        [_epreuve_values(e) for e in items],
    )


def _epreuve_values(e: Epreuve) -> tuple[Any, ...]:
    return (
        e.examen,
        e.session,
        e.specialite,
        e.code,
        e.parent,
        e.libelle,
        str(e.nature),
        [str(mode) for mode in e.modes],
        list(e.options),
        e.coefficient,
        e.rang or 0,
        e.libelle_court,
    )


async def upsert_types_acquis(conn: asyncpg.Connection, items: Sequence[TypeAcquis]) -> None:
    await conn.executemany(
        """INSERT INTO types_acquis (code, libelle, note_min, duree_validite_ans)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (code) DO UPDATE SET libelle = excluded.libelle,
               note_min = excluded.note_min, duree_validite_ans = excluded.duree_validite_ans,
               retired_at = NULL""",
        [(t.code, t.libelle, t.note_min, t.duree_validite_ans) for t in items],
    )


async def upsert_diplomes(conn: asyncpg.Connection, items: Sequence[Diplome]) -> None:
    await conn.executemany(
        """INSERT INTO diplomes (code, libelle, libelle_court) VALUES ($1, $2, $3)
           ON CONFLICT (code) DO UPDATE
               SET libelle = excluded.libelle, libelle_court = excluded.libelle_court,
                   retired_at = NULL""",
        [(d.code, d.libelle, d.libelle_court) for d in items],
    )


async def replace_diplome_dispenses(conn: asyncpg.Connection, items: Sequence[Diplome]) -> None:
    """An imported diplôme's dispenses are the item's list (replaced, like an établissement's
    catégories)."""
    await conn.execute(
        "DELETE FROM diplome_dispenses WHERE diplome_code = ANY($1::text[])",
        [d.code for d in items],
    )
    await conn.executemany(
        """INSERT INTO diplome_dispenses (diplome_code, examen_code, specialite_code, epreuve_code)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING""",
        [(d.code, *ref.split("/")) for d in items for ref in d.dispenses],
    )


OFFICE_COLUMNS = "libelle, adresse, email, telephone, horaires"
OFFICE_UPDATE = """libelle = excluded.libelle, adresse = excluded.adresse, email = excluded.email,
    telephone = excluded.telephone, horaires = excluded.horaires"""


async def upsert_services_gestionnaires(
    conn: asyncpg.Connection, items: Sequence[ServiceGestionnaire]
) -> None:
    """Académies' offices, and examens' offices (overrides) in their own table."""
    await conn.executemany(
        f"""INSERT INTO services_gestionnaires (academie_code, {OFFICE_COLUMNS})
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (academie_code) DO UPDATE SET {OFFICE_UPDATE}""",
        [(s.academie, *_office(s)) for s in items if s.examen is None],
    )
    await conn.executemany(
        f"""INSERT INTO services_gestionnaires_examens
                (academie_code, examen_code, {OFFICE_COLUMNS})
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (academie_code, examen_code) DO UPDATE SET {OFFICE_UPDATE}""",
        [(s.academie, s.examen, *_office(s)) for s in items if s.examen is not None],
    )


def _office(s: ServiceGestionnaire) -> tuple[Any, ...]:
    return (s.libelle, list(s.adresse), str(s.email), s.telephone, s.horaires)


# --- removal -----------------------------------------------------------------------------------

# kind -> (table, key columns); identifiers come only from this map, never from a request.
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "examens": ("examens", ("code",)),
    "sessions": ("sessions", ("examen_code", "annee")),
    "academies": ("academies", ("code",)),
    "categories": ("categories", ("code",)),
    "etablissements": ("etablissements", ("code",)),
    "specialites": ("specialites", ("examen_code", "session_annee", "code")),
    "epreuves": ("epreuves", ("examen_code", "session_annee", "specialite_code", "code")),
    "types_acquis": ("types_acquis", ("code",)),
    "diplomes": ("diplomes", ("code",)),
    # Nothing refers to an office: it is deleted, never retired.
    "services_gestionnaires": ("services_gestionnaires_examens", ("academie_code", "examen_code")),
}


def _target(kind: str, key: Sequence[Any]) -> tuple[str, tuple[str, ...], Sequence[Any]]:
    """The table, key columns and key values of an item; an académie's office has no examen."""
    if kind == "services_gestionnaires" and key[1] is None:
        return "services_gestionnaires", ("academie_code",), key[:1]
    table, columns = TABLES[kind]
    return table, columns, key


def _where(columns: tuple[str, ...]) -> str:
    return " AND ".join(f"{column} = ${n}" for n, column in enumerate(columns, start=1))


async def delete_item(conn: asyncpg.Connection, kind: str, key: Sequence[Any]) -> bool:
    table, columns, key = _target(kind, key)
    status = await conn.execute(f"DELETE FROM {table} WHERE {_where(columns)}", *key)
    return bool(status != "DELETE 0")


async def retire_item(conn: asyncpg.Connection, kind: str, key: Sequence[Any]) -> bool:
    table, columns = TABLES[kind]
    status = await conn.execute(
        f"UPDATE {table} SET retired_at = coalesce(retired_at, now()) WHERE {_where(columns)}",
        *key,
    )
    return bool(status != "UPDATE 0")
