"""A gestionnaire of the candidature's académie sets pièce statuses, one by one or in bulk
(all or nothing). Each change is audited and announced (PieceStatusChanged: no email is sent
for it). Setting the status a pièce already has changes nothing."""

from __future__ import annotations

import uuid

import asyncpg

from shared.auth import Principal, ensure_academie
from shared.events.catalogue import PieceStatusChanged
from uploads.adapters import audit_sql, files_sql, pieces_sql
from uploads.deps import Deps
from uploads.domain.errors import CandidatureClosed, NotFound
from uploads.domain.statuses import Status, check_status, unlocks
from uploads.entrypoints.schemas import BulkResult, BulkStatusChange, StatusChange, StatusChanged


async def set_status(
    conn: asyncpg.Connection,
    piece_id: uuid.UUID,
    change: StatusChange,
    principal: Principal,
    deps: Deps,
) -> StatusChanged:
    row = await pieces_sql.by_id_for_update(conn, piece_id)
    if row is None:
        raise NotFound(f"Pièce {piece_id}")
    ensure_academie(principal, row["academie"])
    if row["closed_at"] is not None:
        raise CandidatureClosed(row["candidature_id"])
    same = row["status"] == change.status and row["status_comment"] == change.comment
    if same:
        return StatusChanged(piece_id=piece_id, status=change.status, changed=False)
    has_file = await files_sql.current_count(conn, piece_id) > 0
    check_status(change.status, has_file=has_file, comment=change.comment)
    now = deps.clock.now()
    received_at = change.received_at or now if change.status is Status.RECUE else None
    await pieces_sql.set_status(
        conn,
        piece_id,
        status=change.status,
        comment=change.comment,
        received_at=received_at,
        at=now,
        by=principal.account_id,
        unlock=unlocks(change.status),
    )
    await audit_sql.record(
        conn,
        principal,
        now,
        action="piece.status",
        target=f"piece:{piece_id}",
        academie=row["academie"],
        details={"before": row["status"], "after": change.status.value},
    )
    await deps.outbox.add(
        conn,
        PieceStatusChanged(
            piece_id=piece_id,
            candidature_id=row["candidature_id"],
            status=change.status.value,
            comment=change.comment,
            changed_at=now,
        ),
    )
    return StatusChanged(piece_id=piece_id, status=change.status, changed=True)


async def set_statuses(
    conn: asyncpg.Connection, bulk: BulkStatusChange, principal: Principal, deps: Deps
) -> BulkResult:
    """In one transaction: one refusal (another académie's pièce, a conforme pièce without a
    file…) and none changes. Locked in id order, so two bulks never deadlock."""
    items = sorted(bulk.items, key=lambda item: item.piece_id)
    done = [
        await set_status(
            conn,
            item.piece_id,
            StatusChange(status=item.status, comment=item.comment, received_at=item.received_at),
            principal,
            deps,
        )
        for item in items
    ]
    return BulkResult(items=done)
