"""Changing the référentiel: imports (whole or nothing) and removal (retire when in use)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Any

import asyncpg

from registration.adapters import referentiel_sql as sql
from registration.deps import Deps
from registration.domain.errors import ImportRefused, NotFound
from registration.domain.imports import (
    KINDS,
    Changes,
    ImportBatch,
    Known,
    check,
    flatten,
    parents_first,
    parse_batch,
    parse_key,
)
from registration.domain.referentiel import Coordonnees
from registration.handlers import audit
from shared.auth import Principal

# Imports check references against what is there, then write: one at a time, so that what
# was checked is still true when it is written.
REFERENTIEL_LOCK = 0x5EF_0001

Upsert = Callable[[asyncpg.Connection, Sequence[Any]], Awaitable[None]]

UPSERTS: list[tuple[str, Upsert]] = [
    ("examens", sql.upsert_examens),
    ("sessions", sql.upsert_sessions),
    ("academies", sql.upsert_academies),
    ("categories", sql.upsert_categories),
    ("etablissements", sql.upsert_etablissements),
    ("etablissements", sql.replace_etablissement_categories),
    ("specialites", sql.upsert_specialites),
    ("epreuves", sql.upsert_epreuves),
    ("types_acquis", sql.upsert_types_acquis),
    ("diplomes", sql.upsert_diplomes),
    ("diplomes", sql.replace_diplome_dispenses),
    ("services_gestionnaires", sql.upsert_services_gestionnaires),
]


async def known_keys(conn: asyncpg.Connection) -> Known:
    return Known(
        examens=await sql.codes(conn, "examens"),
        sessions=await sql.session_keys(conn),
        academies=await sql.codes(conn, "academies"),
        categories=await sql.codes(conn, "categories"),
        specialites=await sql.specialite_keys(conn),
        epreuves=await sql.epreuve_parents(conn),
    )


async def import_referentiel(
    conn: asyncpg.Connection, command: ImportBatch, principal: Principal, deps: Deps
) -> dict[str, int]:
    """An administrateur's import: how many items of each kind were written (audited with
    those counts: the items themselves are in the référentiel)."""
    applied = await import_batch(conn, command)
    await audit.record(
        conn, principal, deps, action="referentiel.import", target="referentiel", after=applied
    )
    return applied


async def put_item(
    conn: asyncpg.Connection, kind: str, item: Any, principal: Principal, deps: Deps
) -> dict[str, int]:
    """One item (a spécialité may carry its épreuve tree): an import of one row."""
    applied = await import_batch(conn, parse_batch({kind: [item]}))
    after = item if isinstance(item, dict) else {"item": item}
    await audit.record(
        conn, principal, deps, action="referentiel.put", target=f"referentiel:{kind}", after=after
    )
    return applied


async def import_batch(conn: asyncpg.Connection, batch: ImportBatch) -> dict[str, int]:
    """Check the whole batch, then write it all; the caller's transaction makes it atomic."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", REFERENTIEL_LOCK)
    changes = flatten(batch)
    issues = check(changes, await known_keys(conn))
    if issues:
        raise ImportRefused(issues)
    await apply(conn, changes)
    return {kind: len(changes.of(kind)) for kind in KINDS if changes.of(kind)}


async def apply(conn: asyncpg.Connection, changes: Changes) -> None:
    for kind, upsert in UPSERTS:
        rows = changes.of(kind)
        if kind == "epreuves":
            rows = parents_first(rows)
        if rows:
            await upsert(conn, [item for _, item in rows])


class Removal(StrEnum):
    DELETED = "deleted"
    RETIRED = "retired"
    NOT_FOUND = "not_found"


async def remove(
    conn: asyncpg.Connection, kind: str, path: list[str], principal: Principal, deps: Deps
) -> tuple[tuple[Any, ...], Removal]:
    """The item a path names (`BTS/2027/BANQUE`), deleted or retired."""
    key = parse_key(kind, path)
    removal = await remove_item(conn, kind, key)
    named = "/".join(map(str, key))
    if removal is Removal.NOT_FOUND:
        raise NotFound(f"{kind} {named}")
    await audit.record(
        conn,
        principal,
        deps,
        action="referentiel.remove",
        target=f"referentiel:{kind}:{named}",
        after={"result": removal.value},
    )
    return key, removal


async def remove_item(conn: asyncpg.Connection, kind: str, key: tuple[Any, ...]) -> Removal:
    """Delete the item, or retire it when something still refers to it."""
    try:
        async with conn.transaction():  # a savepoint: a refused delete leaves the rest
            if await sql.delete_item(conn, kind, key):
                return Removal.DELETED
            return Removal.NOT_FOUND
    except asyncpg.ForeignKeyViolationError:
        pass
    await sql.retire_item(conn, kind, key)
    return Removal.RETIRED


async def service_gestionnaire(
    conn: asyncpg.Connection, academie: str, examen: str | None
) -> Coordonnees | None:
    """For the candidature: the office a candidate of (académie, examen) contacts, to put in
    `CandidatureRef.service_gestionnaire` (same fields as the catalogue's part)."""
    return await sql.get_service_gestionnaire(conn, academie, examen)
