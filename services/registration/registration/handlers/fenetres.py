"""Creating and moving Grand Public windows, and asking whether one is open."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import asyncpg

from registration.adapters import fenetres_sql as sql
from registration.adapters import referentiel_sql
from registration.deps import Deps
from registration.domain.errors import (
    FenetreNotFound,
    FenetreOverlaps,
    FenetreRefused,
    Issue,
    ProlongationRefused,
)
from registration.domain.fenetres import Periode, closes_after_opening, require_aware
from registration.entrypoints.schemas import (
    NouvelleFenetre,
    Ouverture,
    PeriodeFenetre,
    ProlongationBody,
)
from registration.handlers import audit
from shared.auth import Principal, ensure_academie

T = TypeVar("T")
# The id column is a bigint: a larger id in a path names no window.
MAX_BIGINT = 2**63 - 1


def check_periode(periode: Periode) -> None:
    if not closes_after_opening(periode):
        message = "the closing must come after the opening"
        raise FenetreRefused([Issue("fermeture", message, "closes-before-opening")])


async def check_references(
    conn: asyncpg.Connection, examen: str, annee: int, academie: str
) -> None:
    issues: list[Issue] = []
    found_examen = await referentiel_sql.get_examen(conn, examen)
    found_academie = await referentiel_sql.get_academie(conn, academie)
    if found_examen is None:
        issues.append(Issue("examen", f"unknown examen {examen}", "unknown-code"))
    elif not await referentiel_sql.session_exists(conn, examen, annee):
        issues.append(Issue("session", f"no session {annee} for {examen}", "unknown-code"))
    if found_academie is None:
        issues.append(Issue("academie", f"unknown académie {academie}", "unknown-code"))
    elif found_examen and found_academie.etranger and not found_examen.centres_etrangers:
        message = f"the {examen} has no centre abroad: {academie} is a foreign centre"
        issues.append(Issue("academie", message, "foreign-centre"))
    if issues:
        raise FenetreRefused(issues)


async def create(
    conn: asyncpg.Connection, command: NouvelleFenetre, principal: Principal, deps: Deps
) -> Ouverture:
    key = (command.examen, command.session, command.academie)
    periode = command.periode()
    ensure_academie(principal, command.academie)
    check_periode(periode)
    await check_references(conn, *key)
    await _refuse_overlap(conn, *key, periode, None)
    fenetre_id = await _write(sql.insert_fenetre(conn, *key, periode, principal.account_id))
    created = await _ouverture(conn, fenetre_id, deps)
    await audit.record(
        conn,
        principal,
        deps,
        action="fenetre.create",
        target=f"fenetre:{fenetre_id}",
        academie=command.academie,
        after=_periode(created),
    )
    return created


async def move(
    conn: asyncpg.Connection,
    fenetre_id: int,
    command: PeriodeFenetre,
    principal: Principal,
    deps: Deps,
) -> Ouverture:
    row = None if fenetre_id > MAX_BIGINT else await sql.lock_fenetre(conn, fenetre_id)
    if row is None:
        raise FenetreNotFound(fenetre_id)
    ensure_academie(principal, row["academie_code"])
    periode = command.periode()
    check_periode(periode)
    key = (row["examen_code"], row["session_annee"], row["academie_code"])
    await _refuse_overlap(conn, *key, periode, fenetre_id)
    before = await _ouverture(conn, fenetre_id, deps)
    await _write(sql.move_fenetre(conn, fenetre_id, periode, principal.account_id))
    moved = await _ouverture(conn, fenetre_id, deps)
    await audit.record(
        conn,
        principal,
        deps,
        action="fenetre.move",
        target=f"fenetre:{fenetre_id}",
        academie=row["academie_code"],
        before=_periode(before),
        after=_periode(moved),
    )
    return moved


def _periode(ouverture: Ouverture) -> dict[str, Any]:
    """What the audit keeps of a window: its instants in UTC."""
    return {
        "ouverture": ouverture.ouverture_utc.isoformat(),
        "fermeture": ouverture.fermeture_utc.isoformat(),
    }


async def prolonger(
    conn: asyncpg.Connection, command: ProlongationBody, principal: Principal, deps: Deps
) -> list[Ouverture]:
    """Deadline day: the last window of one académie, or of every académie of the examen +
    session, closes `minutes` later; one action, one audit row per window, all or nothing."""
    rows = await sql.lock_last_fenetres(conn, command.examen, command.session, command.academie)
    if not rows:
        scope = f"{command.examen} {command.session}" + (
            f" in {command.academie}" if command.academie else ""
        )
        raise ProlongationRefused(f"No window to extend for {scope}")
    extended: list[Ouverture] = []
    for row in rows:
        ensure_academie(principal, row["academie_code"])
        periode = Periode(row["ouverture"], row["fermeture"] + timedelta(minutes=command.minutes))
        before = await _ouverture(conn, row["id"], deps)
        await _write(sql.move_fenetre(conn, row["id"], periode, principal.account_id))
        after = await _ouverture(conn, row["id"], deps)
        await audit.record(
            conn,
            principal,
            deps,
            action="fenetre.prolonger",
            target=f"fenetre:{row['id']}",
            academie=row["academie_code"],
            before=_periode(before),
            after={**_periode(after), "minutes": command.minutes},
        )
        extended.append(after)
    return extended


async def _ouverture(conn: asyncpg.Connection, fenetre_id: int, deps: Deps) -> Ouverture:
    row = await sql.get_ouverture(conn, fenetre_id)
    assert row is not None  # written by this transaction
    return Ouverture.of(row, deps.clock.now())


async def _refuse_overlap(
    conn: asyncpg.Connection,
    examen: str,
    annee: int,
    academie: str,
    periode: Periode,
    excluding: int | None,
) -> None:
    others = await sql.overlapping(conn, examen, annee, academie, periode, excluding)
    if others:
        raise FenetreOverlaps(others)


async def _write(work: Awaitable[T]) -> T:
    """The exclusion constraint catches a window written by someone else since the check."""
    try:
        return await work
    except asyncpg.ExclusionViolationError:
        raise FenetreOverlaps([]) from None


async def is_window_open(
    conn: asyncpg.Connection, examen: str, annee: int, academie: str, at: datetime
) -> bool:
    """For the candidature: may a candidate create, change or withdraw at `at`?"""
    require_aware(at)
    return await sql.open_fenetre_at(conn, examen, annee, academie, at) is not None
