"""The back office on one candidature: its detail and history, the diff of two versions, and
the decisions (écarter, désinscrire after closing, aménagement), each audited in its own
transaction.

A gestionnaire sees and decides only within their académies; a candidature of another reads as
unknown (404, the same answer as an unknown id, and the denial is logged). Decisions lock the
candidature's row `FOR UPDATE` as the candidate's writes do: a decision and a modification run
one after the other, the second one finding the state the first left (409) or, with
`If-Match`, another version (412).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

import asyncpg

from registration.adapters import candidatures_sql, fenetres_sql, pieces_sql
from registration.adapters import decisions_sql as sql
from registration.deps import Deps
from registration.domain.decisions import DecisionKind, diff
from registration.domain.errors import CandidatureNotFound, DecisionRefused, VersionMismatch
from registration.entrypoints.schemas import (
    AdminCandidatureView,
    AmenagementBody,
    AmenagementView,
    DecisionBody,
    DecisionView,
    DiffView,
    OngletChange,
    PiecesFourniesView,
    PieceStatutView,
    ReadOnlyBody,
    ReadOnlyView,
    SanteView,
    VersionEntry,
)
from registration.handlers import audit
from shared.auth import Principal, Role
from shared.events.catalogue import (
    CandidatureRef,
    CandidatureRejected,
    CandidatureWithdrawn,
    Recapitulatif,
    WithdrawnBy,
)

log = logging.getLogger(__name__)


def _target(candidature_id: uuid.UUID) -> str:
    return f"candidature:{candidature_id}"


def statut(row: asyncpg.Record) -> str:
    """What staff see: a rejection is stored as a withdrawal with `ecartee_at`."""
    return "ecartee" if row["ecartee_at"] is not None else str(row["statut"])


async def _row(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal, *, lock: bool
) -> asyncpg.Record:
    row = await sql.get_candidature(conn, candidature_id, lock=lock)
    if row is None:
        raise CandidatureNotFound(candidature_id)
    if principal.role is not Role.ADMINISTRATEUR and row["academie_code"] not in (
        principal.academies
    ):
        log.warning(
            "access denied",
            extra={
                "account_id": str(principal.account_id),
                "role": principal.role,
                "why": "candidature of another académie",
                "candidature_id": str(candidature_id),
            },
        )
        raise CandidatureNotFound(candidature_id)
    return row


def _decision(row: asyncpg.Record) -> DecisionView:
    amenagement = None
    if row["mesures"] is not None:
        amenagement = AmenagementView(mesures=list(row["mesures"]), texte=row["texte"])
    return DecisionView(
        id=row["id"],
        kind=row["kind"],
        reason=row["reason"],
        version=row["version"],
        decided_by=row["decided_by"],
        decided_role=row["decided_role"],
        decided_at=row["decided_at"],
        amenagement=amenagement,
    )


# --- reading ------------------------------------------------------------------------------------


async def detail(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal, deps: Deps
) -> AdminCandidatureView:
    """The working copy, every version (its snapshot, who saved it, when), the decisions.
    It shows health data, so the read is audited (without them)."""
    row = await _row(conn, candidature_id, principal, lock=False)
    sante = await candidatures_sql.get_sante(conn, candidature_id, 0)
    versions = [
        VersionEntry(
            version=v["version"],
            saved_at=v["saved_at"],
            saved_by=row["account_id"],
            closes_at=v["closes_at"],
            sante=None
            if v["handicap"] is None
            else SanteView(handicap=v["handicap"], amenagement=v["amenagement"]),
            recapitulatif=None
            if v["snapshot"].get("anonymised")
            else Recapitulatif.model_validate(v["snapshot"]["recapitulatif"]),
        )
        for v in await sql.list_versions(conn, candidature_id)
    ]
    decisions = [_decision(d) for d in await sql.list_decisions(conn, candidature_id)]
    await audit.record(
        conn,
        principal,
        deps,
        action="candidature.read",
        target=_target(candidature_id),
        academie=row["academie_code"],
    )
    return AdminCandidatureView(
        id=row["id"],
        account_id=row["account_id"],
        statut=statut(row),
        examen=row["examen_code"],
        session=row["session_annee"],
        academie=row["academie_code"],
        version=row["version"],
        numero_candidat=row["numero_candidat"],
        numero_inscription=row["numero_inscription"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        withdrawn_at=row["withdrawn_at"],
        ecartee_at=row["ecartee_at"],
        saisie=dict(row["saisie"]),
        sante=None if sante is None else SanteView(handicap=sante[0], amenagement=sante[1]),
        versions=versions,
        decisions=decisions,
        pieces_fournies=[
            PiecesFourniesView.model_validate(dict(found))
            for found in await pieces_sql.fournies_of(conn, candidature_id)
        ],
        pieces_statuts=[
            PieceStatutView.model_validate(dict(found))
            for found in await pieces_sql.statuses_of(conn, candidature_id)
        ],
    )


async def version_diff(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    from_version: int,
    to_version: int,
    principal: Principal,
    deps: Deps,
) -> DiffView:
    """Which tabs and fields changed from one saved version to another (health answers
    included as the informations tab's `handicap` and `amenagement`, without their values)."""
    await _row(conn, candidature_id, principal, lock=False)
    saisies: list[dict[str, Any]] = []
    for number in (from_version, to_version):
        found = await candidatures_sql.get_version(conn, candidature_id, number)
        if found is None:
            raise CandidatureNotFound(f"{candidature_id} version {number}")
        saisie = dict(found["snapshot"].get("saisie") or {})
        sante = await candidatures_sql.get_sante(conn, candidature_id, number)
        if sante is not None:
            key = "informations-candidature"
            saisie[key] = {**saisie.get(key, {}), "handicap": sante[0], "amenagement": sante[1]}
        saisies.append(saisie)
    return DiffView(
        candidature_id=candidature_id,
        from_version=from_version,
        to_version=to_version,
        onglets=[OngletChange(onglet=c.onglet, champs=c.champs) for c in diff(*saisies)],
    )


# --- deciding -----------------------------------------------------------------------------------


def _decidable(row: asyncpg.Record, if_match: int | None) -> None:
    if row["anonymised_at"] is not None:
        raise DecisionRefused("candidature-anonymised", "The retention anonymised this candidature")
    if row["ecartee_at"] is not None:
        raise DecisionRefused("candidature-rejected", "This candidature was rejected")
    if row["statut"] == "desinscrite":
        raise DecisionRefused("candidature-withdrawn", "This candidature was withdrawn")
    if row["statut"] == "brouillon":
        raise DecisionRefused("candidature-draft", "This candidature was never saved")
    if if_match is not None and if_match != row["version"]:
        raise VersionMismatch(if_match, row["version"])


async def _ref(conn: asyncpg.Connection, row: asyncpg.Record) -> CandidatureRef:
    current = await candidatures_sql.get_version(conn, row["id"], row["version"])
    assert current is not None  # an active candidature has its version
    return CandidatureRef.model_validate(current["snapshot"]["candidature"])


async def _record_decision(
    conn: asyncpg.Connection,
    row: asyncpg.Record,
    kind: DecisionKind,
    reason: str,
    principal: Principal,
    at: datetime,
) -> int:
    return await sql.insert_decision(
        conn,
        row["id"],
        kind.value,
        reason,
        row["version"],
        principal.account_id,
        principal.role.value,
        at,
    )


async def _audit_taken_out(
    conn: asyncpg.Connection,
    row: asyncpg.Record,
    principal: Principal,
    deps: Deps,
    kind: DecisionKind,
    decision_id: int,
    reason: str,
    statut: str,
) -> None:
    """The audit row of a decision that takes the candidature out (écarter, désinscrire): its
    status before and after, the decision and its reason."""
    await audit.record(
        conn,
        principal,
        deps,
        action=f"candidature.{kind.value}",
        target=_target(row["id"]),
        academie=row["academie_code"],
        before={"statut": row["statut"], "version": row["version"]},
        after={"statut": statut, "decision": decision_id, "reason": reason},
    )


async def ecarter(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    command: DecisionBody,
    if_match: int | None,
    principal: Principal,
    deps: Deps,
) -> DecisionView:
    """Reject: the candidature leaves the candidate's list; CandidatureRejected."""
    now = deps.clock.now()
    row = await _row(conn, candidature_id, principal, lock=True)
    _decidable(row, if_match)
    ref = await _ref(conn, row)
    await sql.ecarter(conn, candidature_id, now)
    decision_id = await _record_decision(
        conn, row, DecisionKind.ECARTER, command.reason, principal, now
    )
    await deps.outbox.add(
        conn, CandidatureRejected(candidature=ref, rejected_at=now, reason=command.reason)
    )
    await _audit_taken_out(
        conn, row, principal, deps, DecisionKind.ECARTER, decision_id, command.reason, "ecartee"
    )
    return _decision(await sql.get_decision(conn, decision_id))


async def desinscrire(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    command: DecisionBody,
    if_match: int | None,
    principal: Principal,
    deps: Deps,
) -> DecisionView:
    """Withdraw after the window closed (while it is open the candidate does it);
    CandidatureWithdrawn with withdrawn_by=gestionnaire and the reason."""
    now = deps.clock.now()
    row = await _row(conn, candidature_id, principal, lock=True)
    _decidable(row, if_match)
    key = (row["examen_code"], row["session_annee"], row["academie_code"])
    if await fenetres_sql.open_fenetre_at(conn, *key, now) is not None:
        detail = "The window is still open: the candidate withdraws the candidature themselves"
        raise DecisionRefused("window-open", detail)
    ref = await _ref(conn, row)
    await candidatures_sql.withdraw(conn, candidature_id, now)
    decision_id = await _record_decision(
        conn, row, DecisionKind.DESINSCRIRE, command.reason, principal, now
    )
    await deps.outbox.add(
        conn,
        CandidatureWithdrawn(
            candidature=ref,
            withdrawn_at=now,
            withdrawn_by=WithdrawnBy.GESTIONNAIRE,
            reason=command.reason,
        ),
    )
    await _audit_taken_out(
        conn,
        row,
        principal,
        deps,
        DecisionKind.DESINSCRIRE,
        decision_id,
        command.reason,
        "desinscrite",
    )
    return _decision(await sql.get_decision(conn, decision_id))


async def amenagement(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    command: AmenagementBody,
    if_match: int | None,
    principal: Principal,
    deps: Deps,
) -> DecisionView:
    """The aménagement granted, stored with the health data. No event carries it and the
    audit row names the decision only (health data stay out of both)."""
    now = deps.clock.now()
    row = await _row(conn, candidature_id, principal, lock=True)
    _decidable(row, if_match)
    decision_id = await _record_decision(
        conn, row, DecisionKind.AMENAGEMENT, command.reason, principal, now
    )
    mesures = list(dict.fromkeys(m.value for m in command.mesures))
    await sql.insert_amenagement(conn, decision_id, candidature_id, mesures, command.texte)
    await audit.record(
        conn,
        principal,
        deps,
        action="candidature.amenagement",
        target=_target(candidature_id),
        academie=row["academie_code"],
        after={"decision": decision_id},
    )
    return _decision(await sql.get_decision(conn, decision_id))


# --- the read-only switch -----------------------------------------------------------------------


async def set_read_only(
    conn: asyncpg.Connection, command: ReadOnlyBody, principal: Principal, deps: Deps
) -> ReadOnlyView:
    now = deps.clock.now()
    before = await sql.set_read_only(
        conn, command.enabled, command.reason, now, principal.account_id
    )
    await audit.record(
        conn,
        principal,
        deps,
        action="service.read-only",
        target="service:registration",
        before=None
        if before is None
        else {"enabled": before["enabled"], "reason": before["reason"]},
        after={"enabled": command.enabled, "reason": command.reason},
    )
    return ReadOnlyView(enabled=command.enabled, reason=command.reason, changed_at=now)
