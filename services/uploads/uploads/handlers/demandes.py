"""A gestionnaire of the académie asks one candidature for one more pièce (domain.md §5.1),
with its own date limite (15 days from now unless given): in a group of that candidature's
own, never retired by the rules; audited."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg

from shared.auth import Principal, ensure_academie
from uploads.adapters import audit_sql, candidatures_sql, groupes_sql, pieces_sql
from uploads.deps import Deps
from uploads.domain.errors import CandidatureClosed, NotFound
from uploads.domain.rules import Wanted
from uploads.entrypoints.schemas import Demande, PieceView
from uploads.handlers.views import piece_view

DEMANDE = "DEMANDE"
DEFAULT_DELAY = timedelta(days=15)


async def request_piece(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    demande: Demande,
    principal: Principal,
    deps: Deps,
) -> PieceView:
    candidature = await candidatures_sql.get(conn, candidature_id)
    if candidature is None:
        raise NotFound(f"Candidature {candidature_id}")
    ensure_academie(principal, candidature["academie"])
    if candidature["closed_at"] is not None:
        raise CandidatureClosed(candidature_id)
    now = deps.clock.now()
    ref = uuid.uuid4().hex[:12]
    groupe_id = await groupes_sql.insert_for_candidature(
        conn,
        candidature,
        code=f"{DEMANDE}-{ref}",
        libelle=demande.groupe_libelle,
        date_limite=demande.date_limite or now + DEFAULT_DELAY,
        set_by=principal.account_id,
    )
    wanted = Wanted(
        code=DEMANDE,
        ref=ref,
        libelle=demande.libelle,
        groupe=f"{DEMANDE}-{ref}",
        groupe_libelle=demande.groupe_libelle,
        formats=tuple(demande.formats),
        max_bytes=demande.max_bytes,
    )
    row = await pieces_sql.insert_requested(
        conn, candidature_id, groupe_id, wanted, now, principal.account_id
    )
    await audit_sql.record(
        conn,
        principal,
        now,
        action="piece.request",
        target=f"piece:{row['id']}",
        academie=candidature["academie"],
        details={"libelle": demande.libelle, "candidature_id": candidature_id},
    )
    return piece_view(row, [])
