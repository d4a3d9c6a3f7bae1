"""The back office's reads of candidatures (migration 008): search pages, the export's rows
and the counts. Only saved candidatures (version >= 1) are seen; `academies=None` is every
académie (an administrateur), else the list the caller is scoped to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import asyncpg

from registration.domain.recherche import STATUTS, Position

# The back office's status: a rejection (écarter) is a withdrawal with `ecartee_at` set.
_STATUT = "(CASE WHEN c.ecartee_at IS NOT NULL THEN 'ecartee' ELSE c.statut END)"
# Whether the candidature's window is open at {now}.
_WINDOW_OPEN = """EXISTS (SELECT 1 FROM fenetres f
    WHERE f.examen_code = c.examen_code AND f.session_annee = c.session_annee
      AND f.academie_code = c.academie_code AND f.ouverture <= {now} AND {now} < f.fermeture)"""


class Where:
    """Conditions and their $n parameters, built one filter at a time."""

    def __init__(self) -> None:
        self.conditions = ["c.version >= 1"]
        self.args: list[Any] = []

    def param(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    def add(self, condition: str) -> None:
        self.conditions.append(condition)

    @property
    def sql(self) -> str:
        return " AND ".join(self.conditions)


def where(filtres: dict[str, Any], academies: list[str] | None, now: datetime) -> Where:
    w = Where()
    if academies is not None:
        w.add(f"c.academie_code = ANY({w.param(academies)}::text[])")
    for name, column in (
        ("examen", "examen_code"),
        ("session", "session_annee"),
        ("specialite", "specialite_code"),
        ("categorie", "categorie_code"),
        ("etablissement", "etablissement_code"),
        ("numero_candidat", "numero_candidat"),
        ("numero_inscription", "numero_inscription"),
    ):
        if filtres.get(name) is not None:
            w.add(f"c.{column} = {w.param(filtres[name])}")
    if filtres.get("statut") is not None:
        w.add(f"{_STATUT} = {w.param(STATUTS[filtres['statut']])}")
    if filtres.get("nom") is not None:
        p = w.param(filtres["nom"])
        # A range the index (nom_cle, id) serves — U+10FFFF sorts after every character in
        # the "C" collation — then the exact prefix test: no LIKE, so `%`, `_` and `\` are
        # plain characters.
        w.add(
            f'c.nom_cle >= recherche_cle({p}) COLLATE "C"'
            f" AND c.nom_cle < (recherche_cle({p}) || U&'\\+10FFFF') COLLATE \"C\""
            f" AND starts_with(c.nom_cle, recherche_cle({p}))"
        )
    if filtres.get("fenetre") is not None:
        open_ = _WINDOW_OPEN.format(now=w.param(now) + "::timestamptz")
        w.add(open_ if filtres["fenetre"] == "ouverte" else f"NOT {open_}")
    return w


_COLUMNS = f"""c.id, c.examen_code, c.session_annee, c.academie_code,
    {_STATUT} AS statut, c.version, c.numero_candidat, c.numero_inscription, c.nom, c.prenoms,
    c.nom_cle, c.specialite_code,
    c.categorie_code, c.etablissement_code, c.updated_at"""


async def page(
    conn: asyncpg.Connection,
    filtres: dict[str, Any],
    academies: list[str] | None,
    now: datetime,
    after: Position | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Up to `limit` rows in the order (nom_cle, id), after `after` (every saved candidature
    has its nom_cle: the trigger sets it with the version).

    An administrateur's search walks the index (nom_cle, id). A gestionnaire's walks, for each
    of their académies, the index (academie_code, nom_cle, id) of migration 012 from the
    cursor's position on, `limit` rows at most per académie; the first `limit` of these in
    the order (nom_cle, id) are the page: the same rows, and the same cursor, as one walk
    of every académie's rows in that order."""
    w = where(filtres, None, now)
    if after is not None:
        w.add(
            f'(c.nom_cle, c.id) > ({w.param(after.nom_cle)} COLLATE "C", {w.param(after.id)}::uuid)'
        )
    n = w.param(limit)
    if academies is None:
        sql = f"""SELECT {_COLUMNS} FROM candidatures c WHERE {w.sql}
            ORDER BY c.nom_cle, c.id
            LIMIT {n}"""
    else:
        # Each académie once (a row would otherwise come once per repetition).
        codes = w.param(list(dict.fromkeys(academies)))
        w.add("c.academie_code = a.code")
        sql = f"""SELECT r.* FROM unnest({codes}::text[]) AS a(code)
            CROSS JOIN LATERAL (
                SELECT {_COLUMNS} FROM candidatures c WHERE {w.sql}
                ORDER BY c.nom_cle, c.id
                LIMIT {n}) r
            ORDER BY r.nom_cle, r.id
            LIMIT {n}"""
    rows: list[asyncpg.Record] = await conn.fetch(sql, *w.args)
    return rows


def export_query(
    filtres: dict[str, Any], academies: list[str] | None, now: datetime, sante: bool
) -> tuple[str, list[Any]]:
    """The export's statement: one row per candidature with its current version's snapshot
    (and, when asked, the health answers of that version)."""
    w = where(filtres, academies, now)
    health = (
        ", s.handicap, s.amenagement"
        if sante
        else ", NULL::boolean AS handicap, NULL::boolean AS amenagement"
    )
    join = (
        " LEFT JOIN candidature_sante s ON s.candidature_id = c.id AND s.version = c.version"
        if sante
        else ""
    )
    sql = f"""SELECT c.numero_candidat, c.numero_inscription, c.examen_code, c.session_annee,
                c.academie_code, {_STATUT} AS statut, c.version, c.nom, c.prenoms,
                v.snapshot -> 'candidature' ->> 'civilite' AS civilite,
                v.snapshot -> 'recapitulatif' -> 'identite' ->> 'date_naissance'
                    AS date_naissance,
                c.specialite_code,
                v.snapshot -> 'candidature' ->> 'specialite_libelle' AS specialite,
                c.categorie_code, v.snapshot -> 'recapitulatif' ->> 'categorie' AS categorie,
                c.etablissement_code,
                v.snapshot -> 'recapitulatif' ->> 'etablissement' AS etablissement,
                v.saved_at, v.snapshot -> 'recapitulatif' -> 'epreuves' AS epreuves{health}
            FROM candidatures c
            JOIN candidature_versions v ON v.candidature_id = c.id AND v.version = c.version
            {join}
            WHERE {w.sql}
            ORDER BY c.nom_cle, c.id"""
    return sql, w.args


async def export_rows(
    conn: asyncpg.Connection, sql: str, args: list[Any], prefetch: int = 1000
) -> AsyncIterator[asyncpg.Record]:
    """The rows through a server-side cursor (the caller holds the transaction)."""
    async for row in conn.cursor(sql, *args, prefetch=prefetch):
        yield row


async def counts(
    conn: asyncpg.Connection, examen: str, session: int, academies: list[str] | None
) -> list[asyncpg.Record]:
    """One row per (dimension, code): the grouping sets of the four dimensions, and the total
    (all four NULL, grouping 15)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT grouping(c.statut, c.specialite_code, c.categorie_code, c.etablissement_code)
                      AS g,
                  c.statut, c.specialite_code, c.categorie_code, c.etablissement_code,
                  count(*) AS nombre
           FROM (SELECT {_STATUT} AS statut, c.specialite_code, c.categorie_code,
                        c.etablissement_code, c.version, c.examen_code, c.session_annee,
                        c.academie_code
                 FROM candidatures c) c
           WHERE c.version >= 1 AND c.examen_code = $1 AND c.session_annee = $2
             AND ($3::text[] IS NULL OR c.academie_code = ANY($3::text[]))
           GROUP BY GROUPING SETS ((c.statut), (c.specialite_code), (c.categorie_code),
                                   (c.etablissement_code), ())""",
        examen,
        session,
        academies,
    )
    return rows
