"""The back office's search, export and counts (issue 12, points 1, 4 and 5): gestionnaires
within their académies, administrateurs everywhere; each use audited in its transaction.

The export is the documented exception to one transaction per request: its audit rows are
committed first (an export the audit cannot record does not start), then the rows stream from
a server-side cursor in one read-only REPEATABLE READ transaction (one snapshot, however many
candidatures are saved meanwhile) — `export_plan` and `export_chunks`, called by the route."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg

from registration.adapters import recherche_sql as sql
from registration.deps import Deps
from registration.domain.recherche import (
    STATUS_OF,
    Position,
    cell,
    decode_cursor,
    encode_cursor,
    epreuves_cell,
)
from registration.entrypoints.schemas import (
    CandidatureTrouvee,
    Compte,
    Comptes,
    ComptesQuery,
    ExportQuery,
    FiltresCandidatures,
    PageCandidatures,
    RechercheQuery,
)
from registration.handlers import audit
from shared.auth import Principal, Role, ensure_academie

BOM = "\ufeff".encode()
HEADER = [
    "numero_candidat",
    "numero_inscription",
    "examen",
    "session",
    "academie",
    "statut",
    "version",
    "civilite",
    "nom",
    "prenoms",
    "date_naissance",
    "specialite_code",
    "specialite",
    "categorie_code",
    "categorie",
    "etablissement_code",
    "etablissement",
    "enregistree_le",
    "epreuves",
]
HEALTH_HEADER = ["handicap", "amenagement"]


def scope(principal: Principal, academie: str | None) -> list[str] | None:
    """The académies a request reads: the one it names (within the gestionnaire's, else a
    logged 403 that tells nothing of it), or all of the gestionnaire's; None is every one."""
    if academie is not None:
        ensure_academie(principal, academie)
        return [academie]
    if principal.role is Role.ADMINISTRATEUR:
        return None
    return sorted(principal.academies)


def _filtres(query: FiltresCandidatures) -> dict[str, Any]:
    return query.model_dump(include=set(FiltresCandidatures.model_fields))


def _audit_filtres(filtres: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in filtres.items() if v is not None}


async def search(
    conn: asyncpg.Connection, query: RechercheQuery, principal: Principal, deps: Deps
) -> PageCandidatures:
    academies = scope(principal, query.academie)
    filtres = _filtres(query)
    after = decode_cursor(deps.cursor_key, query.cursor, filtres) if query.cursor else None
    rows = await sql.page(conn, filtres, academies, deps.clock.now(), after, query.limit + 1)
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = encode_cursor(
            deps.cursor_key, Position(nom_cle=last["nom_cle"], id=last["id"]), filtres
        )
    await audit.record(
        conn,
        principal,
        deps,
        action="candidatures.recherche",
        target="candidatures",
        academie=query.academie,
        after={"filtres": _audit_filtres(filtres), "resultats": len(rows)},
    )
    return PageCandidatures(
        items=[
            CandidatureTrouvee(
                id=row["id"],
                examen=row["examen_code"],
                session=row["session_annee"],
                academie=row["academie_code"],
                statut=STATUS_OF.get(row["statut"], row["statut"]),
                version=row["version"],
                numero_candidat=row["numero_candidat"],
                numero_inscription=row["numero_inscription"],
                nom=row["nom"],
                prenoms=row["prenoms"],
                specialite=row["specialite_code"],
                categorie=row["categorie_code"],
                etablissement=row["etablissement_code"],
                updated_at=row["updated_at"],
            )
            for row in rows
        ],
        next_cursor=next_cursor,
    )


@dataclass(frozen=True)
class ExportPlan:
    sql: str
    args: list[Any]
    sante: bool


async def export_plan(
    conn: asyncpg.Connection, query: ExportQuery, principal: Principal, deps: Deps
) -> ExportPlan:
    """Check the scope and record the export (and, with `sante`, the read of health data)
    in the audit log; the statement the export then streams."""
    academies = scope(principal, query.academie)
    filtres = _filtres(query)
    # Health data: the candidate's gestionnaires and the administrateurs only — every row the
    # scope lets through is of the gestionnaire's académies.
    sante = query.sante and principal.role in (Role.GESTIONNAIRE, Role.ADMINISTRATEUR)
    after = {"filtres": _audit_filtres(filtres), "sante": sante}
    await audit.record(
        conn,
        principal,
        deps,
        action="candidatures.export",
        target="candidatures",
        academie=query.academie,
        after=after,
    )
    if sante:
        await audit.record(
            conn,
            principal,
            deps,
            action="candidatures.sante.lecture",
            target="candidatures",
            academie=query.academie,
            after={"filtres": _audit_filtres(filtres), "via": "export"},
        )
    text, args = sql.export_query(filtres, academies, deps.clock.now(), sante)
    return ExportPlan(sql=text, args=args, sante=sante)


def _line(row: asyncpg.Record, sante: bool) -> list[str]:
    values: list[object] = [
        row["numero_candidat"],
        row["numero_inscription"],
        row["examen_code"],
        row["session_annee"],
        row["academie_code"],
        STATUS_OF.get(row["statut"], row["statut"]),
        row["version"],
        row["civilite"],
        row["nom"],
        row["prenoms"],
        row["date_naissance"],
        row["specialite_code"],
        row["specialite"],
        row["categorie_code"],
        row["categorie"],
        row["etablissement_code"],
        row["etablissement"],
        row["saved_at"].isoformat(),
    ]
    line = [cell(value) for value in values]
    line.append(epreuves_cell(row["epreuves"] or []))
    if sante:
        line += [cell(row["handicap"]), cell(row["amenagement"])]
    return line


async def export_chunks(
    conn: asyncpg.Connection, plan: ExportPlan, batch: int = 1000
) -> AsyncIterator[bytes]:
    """The CSV (UTF-8 with a BOM, `;`-separated, CRLF) in chunks of `batch` rows, from a
    server-side cursor: memory does not grow with the number of rows. The caller holds the
    read-only REPEATABLE READ transaction."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER + (HEALTH_HEADER if plan.sante else []))
    yield BOM + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    count = 0
    async for row in sql.export_rows(conn, plan.sql, plan.args, prefetch=batch):
        writer.writerow(_line(row, plan.sante))
        count += 1
        if count % batch == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


async def counts(
    conn: asyncpg.Connection, query: ComptesQuery, principal: Principal, deps: Deps
) -> Comptes:
    academies = scope(principal, query.academie)
    rows = await sql.counts(conn, query.examen, query.session, academies)
    dims: dict[str, list[Compte]] = {
        "statut": [],
        "specialite_code": [],
        "categorie_code": [],
        "etablissement_code": [],
    }
    total = 0
    # grouping() sets a bit per column left out, the first column the highest (8).
    bits = {7: "statut", 11: "specialite_code", 13: "categorie_code", 14: "etablissement_code"}
    for row in rows:
        if row["g"] == 15:
            total = row["nombre"]
            continue
        column = bits[row["g"]]
        code = row[column]
        if column == "statut" and code is not None:
            code = STATUS_OF.get(code, code)
        dims[column].append(Compte(code=code, nombre=row["nombre"]))
    for values in dims.values():
        values.sort(key=lambda c: (c.code is None, c.code or ""))
    await audit.record(
        conn,
        principal,
        deps,
        action="candidatures.comptes",
        target=f"{query.examen}/{query.session}",
        academie=query.academie,
    )
    return Comptes(
        examen=query.examen,
        session=query.session,
        academies=academies,
        total=total,
        par_statut=dims["statut"],
        par_specialite=dims["specialite_code"],
        par_categorie=dims["categorie_code"],
        par_etablissement=dims["etablissement_code"],
    )
