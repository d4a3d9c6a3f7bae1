"""Creating and moving Grand Public windows, and asking whether one is open."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import TypeVar

import asyncpg

from registration.adapters import fenetres as sql
from registration.adapters import referentiel
from registration.domain.fenetres import Periode, closes_after_opening, require_aware
from registration.domain.imports import Issue
from shared.auth import Principal, ensure_academie

T = TypeVar("T")


class FenetreRefused(Exception):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} problem(s)")
        self.issues = issues


class FenetreOverlaps(Exception):
    def __init__(self, others: list[int]) -> None:
        super().__init__(f"overlaps window(s) {others}")
        self.others = others


class FenetreNotFound(LookupError):
    pass


def check_periode(periode: Periode) -> None:
    if not closes_after_opening(periode):
        message = "the closing must come after the opening"
        raise FenetreRefused([Issue("fermeture", message, "closes-before-opening")])


async def check_references(
    conn: asyncpg.Connection, examen: str, annee: int, academie: str
) -> None:
    issues: list[Issue] = []
    found_examen = await referentiel.get_examen(conn, examen)
    found_academie = await referentiel.get_academie(conn, academie)
    if found_examen is None:
        issues.append(Issue("examen", f"unknown examen {examen}", "unknown-code"))
    elif not await referentiel.session_exists(conn, examen, annee):
        issues.append(Issue("session", f"no session {annee} for {examen}", "unknown-code"))
    if found_academie is None:
        issues.append(Issue("academie", f"unknown académie {academie}", "unknown-code"))
    elif found_examen and found_academie.etranger and not found_examen.centres_etrangers:
        message = f"the {examen} has no centre abroad: {academie} is a foreign centre"
        issues.append(Issue("academie", message, "foreign-centre"))
    if issues:
        raise FenetreRefused(issues)


async def create_fenetre(
    conn: asyncpg.Connection,
    examen: str,
    annee: int,
    academie: str,
    periode: Periode,
    principal: Principal,
) -> int:
    ensure_academie(principal, academie)
    check_periode(periode)
    await check_references(conn, examen, annee, academie)
    await _refuse_overlap(conn, examen, annee, academie, periode, None)
    return await _write(
        sql.insert_fenetre(conn, examen, annee, academie, periode, principal.account_id)
    )


async def move_fenetre(
    conn: asyncpg.Connection, fenetre_id: int, periode: Periode, principal: Principal
) -> None:
    row = await sql.lock_fenetre(conn, fenetre_id)
    if row is None:
        raise FenetreNotFound(fenetre_id)
    ensure_academie(principal, row["academie_code"])
    check_periode(periode)
    key = (row["examen_code"], row["session_annee"], row["academie_code"])
    await _refuse_overlap(conn, *key, periode, fenetre_id)
    await _write(sql.move_fenetre(conn, fenetre_id, periode, principal.account_id))


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
