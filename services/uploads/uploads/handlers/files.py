"""A candidate's files on a pièce: what an upload may go to (checked before its body is read,
and again under the row lock when it is recorded), recording a received file (a new one, or
the replacement of a current one, which stays in the history), and deleting one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from shared.auth import Principal
from uploads.adapters import files_sql, pieces_sql
from uploads.adapters.files_sql import NewFile
from uploads.deps import Deps
from uploads.domain.deposit import check_deposit
from uploads.domain.errors import NotFound, TooManyFiles
from uploads.entrypoints.schemas import FileView
from uploads.handlers.back_office import Download
from uploads.handlers.views import file_view


@dataclass(frozen=True)
class Target:
    """What an upload to this pièce must be."""

    max_bytes: int
    formats: tuple[str, ...]


@dataclass(frozen=True)
class Received:
    """A file scanned, checked and stored, waiting to be recorded."""

    object_key: str
    display_name: str
    media_type: str
    size: int
    sha256: str


async def _editable_piece(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    piece_id: uuid.UUID,
    principal: Principal,
    deps: Deps,
) -> asyncpg.Record:
    row = await pieces_sql.for_update(conn, candidature_id, piece_id)
    if row is None or row["account_id"] != principal.account_id:
        raise NotFound(f"Pièce {piece_id}")
    check_deposit(
        candidature_id=candidature_id,
        closed_at=row["closed_at"],
        active=row["active"],
        validated_at=row["validated_at"],
        status=row["status"],
        date_limite=row["date_limite"],
        now=deps.clock.now(),
    )
    return row


async def target(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    piece_id: uuid.UUID,
    principal: Principal,
    deps: Deps,
    replaces: uuid.UUID | None = None,
) -> Target:
    row = await _editable_piece(conn, candidature_id, piece_id, principal, deps)
    await _check_room(conn, piece_id, deps, replaces)
    return Target(max_bytes=row["max_bytes"], formats=tuple(row["formats"]))


async def _check_room(
    conn: asyncpg.Connection, piece_id: uuid.UUID, deps: Deps, replaces: uuid.UUID | None
) -> None:
    if replaces is not None:
        if await files_sql.current(conn, piece_id, replaces) is None:
            raise NotFound(f"File {replaces}")
    elif await files_sql.current_count(conn, piece_id) >= deps.max_files_per_piece:
        raise TooManyFiles(deps.max_files_per_piece)


async def record(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    piece_id: uuid.UUID,
    received: Received,
    principal: Principal,
    deps: Deps,
    replaces: uuid.UUID | None = None,
) -> FileView:
    """Under the pièce's row lock, the deposit rules again (the date limite may have passed,
    or the group been declared, while the file was received)."""
    await _editable_piece(conn, candidature_id, piece_id, principal, deps)
    await _check_room(conn, piece_id, deps, replaces)
    now = deps.clock.now()
    row = await files_sql.insert(
        conn,
        NewFile(
            id=uuid.uuid4(),
            piece_id=piece_id,
            candidature_id=candidature_id,
            object_key=received.object_key,
            display_name=received.display_name,
            media_type=received.media_type,
            size=received.size,
            sha256=received.sha256,
            deposited_at=now,
        ),
    )
    if replaces is not None:
        await files_sql.mark_replaced(conn, replaces, row["id"], now)
    await pieces_sql.reopen(conn, piece_id)
    return file_view(row)


async def delete(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    piece_id: uuid.UUID,
    file_id: uuid.UUID,
    principal: Principal,
    deps: Deps,
) -> None:
    """Until the group is declared; the file stays in the history (and its object)."""
    await _editable_piece(conn, candidature_id, piece_id, principal, deps)
    if await files_sql.current(conn, piece_id, file_id) is None:
        raise NotFound(f"File {file_id}")
    await files_sql.mark_deleted(conn, file_id, deps.clock.now())


async def download(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    piece_id: uuid.UUID,
    file_id: uuid.UUID,
    principal: Principal,
) -> Download:
    """One of the candidate's own current files (another's is a 404)."""
    row = await files_sql.owned_current(
        conn, candidature_id, piece_id, file_id, principal.account_id
    )
    if row is None:
        raise NotFound(f"File {file_id}")
    return Download.of(row)
