"""Mes justificatifs: a candidate's pièces of one of their candidatures (another's is a 404,
the same answer as an unknown id), and "J'ai fourni toutes mes pièces" on a group."""

from __future__ import annotations

import uuid

import asyncpg

from shared.auth import Principal
from shared.events.catalogue import PiecesFournies
from uploads.adapters import candidatures_sql, declarations_sql, files_sql, pieces_sql
from uploads.deps import Deps
from uploads.domain.deposit import check_deadline
from uploads.domain.errors import CandidatureClosed, NotFound, PiecesMissing
from uploads.entrypoints.schemas import MesPieces
from uploads.handlers.views import groupes


async def owned(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal
) -> asyncpg.Record:
    row = await candidatures_sql.owned(conn, candidature_id, principal.account_id)
    if row is None:
        raise NotFound(f"Candidature {candidature_id}")
    return row


async def view(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal, deps: Deps
) -> MesPieces:
    candidature = await owned(conn, candidature_id, principal)
    return await candidature_view(conn, candidature, deps, history=False)


async def candidature_view(
    conn: asyncpg.Connection, candidature: asyncpg.Record, deps: Deps, *, history: bool
) -> MesPieces:
    candidature_id = candidature["candidature_id"]
    pieces = await pieces_sql.of_candidature(conn, candidature_id)
    files = await files_sql.of_candidature(conn, candidature_id, history)
    return MesPieces(
        candidature_id=candidature_id,
        numero_inscription=candidature["numero_inscription"],
        academie=candidature["academie"],
        closed=candidature["closed_at"] is not None,
        groupes=groupes(pieces, files, deps.clock.now()),
    )


async def declare(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    groupe_id: uuid.UUID,
    principal: Principal,
    deps: Deps,
) -> MesPieces:
    """J'ai fourni toutes mes pièces: every active pièce of the group has a file; each gets
    its validation date and is locked; the gestionnaires are told (PiecesFournies). Declaring
    a group again with nothing new to validate changes nothing."""
    candidature = await owned(conn, candidature_id, principal)
    if candidature["closed_at"] is not None:
        raise CandidatureClosed(candidature_id)
    pieces = await pieces_sql.of_groupe_for_update(conn, candidature_id, groupe_id)
    if not pieces:
        raise NotFound(f"Groupe {groupe_id}")
    missing = [row["libelle"] for row in pieces if row["files"] == 0]
    if missing:
        raise PiecesMissing(missing)
    pending = [row["id"] for row in pieces if row["validated_at"] is None]
    if pending:
        now = deps.clock.now()
        check_deadline(await declarations_sql.date_limite(conn, groupe_id), now)
        await pieces_sql.validate(conn, pending, now)
        await declarations_sql.record(conn, candidature_id, groupe_id, now)
        await deps.outbox.add(
            conn,
            PiecesFournies(
                candidature_id=candidature_id,
                account_id=candidature["account_id"],
                academie_code=candidature["academie"],
                groupe_id=groupe_id,
                groupe_libelle=await declarations_sql.groupe_libelle(conn, groupe_id),
                piece_ids=[row["id"] for row in pieces],
                fournies_at=now,
            ),
        )
    return await candidature_view(conn, candidature, deps, history=False)
