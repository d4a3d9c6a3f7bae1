"""Candidature events: a saved version (re)computes the pièces to provide from the examen's
rules; a withdrawal or a rejection closes them (nothing changes any more, files are kept).
An older version delivered late changes nothing."""

from __future__ import annotations

import logging
from datetime import timedelta

import asyncpg

from shared.erasure import lock_and_check_erased
from shared.events import Envelope
from shared.events.catalogue import (
    CandidatureCreated,
    CandidatureModified,
    CandidatureRef,
    CandidatureRejected,
    CandidatureWithdrawn,
)
from uploads.adapters import candidatures_sql, groupes_sql, pieces_sql, rules_sql
from uploads.deps import Deps
from uploads.domain.academies import zone_name
from uploads.domain.rules import Facts, pieces_for, reconcile

log = logging.getLogger(__name__)


def _zone(ref: CandidatureRef) -> str:
    return zone_name(ref.academie.code, ref.academie.fuseau_horaire)


async def candidature_saved(
    conn: asyncpg.Connection,
    envelope: Envelope,
    payload: CandidatureCreated | CandidatureModified,
    deps: Deps,
) -> None:
    ref = payload.candidature
    if await lock_and_check_erased(conn, ref.account_id):
        return
    zone = _zone(ref)
    newest = await candidatures_sql.record(conn, ref, zone, payload.version, payload.closes_at)
    candidature = await candidatures_sql.get(conn, ref.candidature_id)
    if not newest or candidature is None or candidature["closed_at"] is not None:
        return
    rules = await rules_sql.active_rules(conn, ref.examen.code)
    wanted = pieces_for(Facts.of(payload.recapitulatif), rules)
    plan = reconcile(await pieces_sql.existing(conn, ref.candidature_id), wanted)
    now = deps.clock.now()
    default_date_limite = payload.closes_at + timedelta(days=deps.default_deadline_days)
    for piece in plan.add:
        groupe_id = await groupes_sql.ensure(
            conn,
            examen=ref.examen.code,
            session=ref.session,
            academie=ref.academie.code,
            code=piece.groupe,
            libelle=piece.groupe_libelle,
            zone=zone,
            default_date_limite=default_date_limite,
        )
        await pieces_sql.insert(conn, ref.candidature_id, groupe_id, piece, now)
    await pieces_sql.set_active(conn, ref.candidature_id, plan.retire, False, now)
    await pieces_sql.set_active(conn, ref.candidature_id, plan.revive, True, now)
    log.info(
        "pièces computed",
        extra={
            "candidature_id": str(ref.candidature_id),
            "version": payload.version,
            "added": len(plan.add),
            "retired": len(plan.retire),
            "revived": len(plan.revive),
        },
    )


async def candidature_closed(
    conn: asyncpg.Connection,
    envelope: Envelope,
    payload: CandidatureWithdrawn | CandidatureRejected,
    deps: Deps,
) -> None:
    ref = payload.candidature
    if await lock_and_check_erased(conn, ref.account_id):
        return
    await candidatures_sql.record(conn, ref, _zone(ref))
    if isinstance(payload, CandidatureWithdrawn):
        await candidatures_sql.mark_closed(
            conn, ref.candidature_id, payload.withdrawn_at, "withdrawn"
        )
    else:
        await candidatures_sql.mark_closed(
            conn, ref.candidature_id, payload.rejected_at, "rejected"
        )
