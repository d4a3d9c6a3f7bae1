"""The back office (gestionnaires within their académies, administrateurs everywhere): the
declared groups waiting to be checked, a candidature's pièces with every file's history, and
a file to download (audited before a byte leaves)."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from shared.auth import Principal, Role, ensure_academie
from uploads.adapters import audit_sql, candidatures_sql, declarations_sql, files_sql
from uploads.deps import Deps
from uploads.domain.errors import InvalidCursor, NotFound
from uploads.entrypoints.schemas import AttenteQuery, GroupeDeclare, MesPieces, PageAttente
from uploads.handlers.mes_pieces import candidature_view

Position = tuple[datetime, uuid.UUID, uuid.UUID]


def scope(principal: Principal, academie: str | None) -> list[str] | None:
    """The académies a request may see: the one asked for (checked), the gestionnaire's, or
    (an administrateur asking for none) all."""
    if academie is not None:
        ensure_academie(principal, academie)
        return [academie]
    if principal.role is Role.ADMINISTRATEUR:
        return None
    return sorted(principal.academies)


def encode_cursor(position: Position, query: AttenteQuery) -> str:
    data = [position[0].isoformat(), str(position[1]), str(position[2]), _filters(query)]
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def decode_cursor(cursor: str, query: AttenteQuery) -> Position:
    """The position the cursor names; refused when altered or made for other filters."""
    try:
        at, candidature, groupe, filters = json.loads(base64.urlsafe_b64decode(cursor))
        position = (datetime.fromisoformat(at), uuid.UUID(candidature), uuid.UUID(groupe))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor() from None
    if filters != _filters(query) or position[0].tzinfo is None:
        raise InvalidCursor()
    return position


def _filters(query: AttenteQuery) -> str:
    return query.model_dump_json(exclude={"cursor", "limit"})


async def waiting(
    conn: asyncpg.Connection, query: AttenteQuery, principal: Principal, deps: Deps
) -> PageAttente:
    rows = await declarations_sql.waiting(
        conn,
        academies=scope(principal, query.academie),
        specialite=query.specialite,
        since=query.declared_from,
        until=query.declared_to,
        status=query.status,
        after=decode_cursor(query.cursor, query) if query.cursor else None,
        limit=query.limit + 1,
    )
    items = [GroupeDeclare.model_validate(dict(row)) for row in rows[: query.limit]]
    next_cursor = None
    if len(rows) > query.limit:
        last = items[-1]
        next_cursor = encode_cursor((last.declared_at, last.candidature_id, last.groupe_id), query)
    return PageAttente(items=items, next_cursor=next_cursor)


async def candidature(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal, deps: Deps
) -> MesPieces:
    row = await candidatures_sql.get(conn, candidature_id)
    if row is None:
        raise NotFound(f"Candidature {candidature_id}")
    ensure_academie(principal, row["academie"])
    return await candidature_view(conn, row, deps, history=True)


@dataclass(frozen=True)
class Download:
    object_key: str
    media_type: str
    size: int
    sha256: str
    display_name: str

    @classmethod
    def of(cls, row: asyncpg.Record) -> Download:
        return cls(
            object_key=row["object_key"],
            media_type=row["media_type"],
            size=row["size"],
            sha256=row["sha256"],
            display_name=row["display_name"],
        )


async def download(
    conn: asyncpg.Connection, file_id: uuid.UUID, principal: Principal, deps: Deps
) -> Download:
    row = await files_sql.with_piece(conn, file_id)
    if row is None:
        raise NotFound(f"File {file_id}")
    ensure_academie(principal, row["academie"])
    await audit_sql.record(
        conn,
        principal,
        deps.clock.now(),
        action="piece.file.download",
        target=f"file:{file_id}",
        academie=row["academie"],
        details={"piece_id": row["piece_id"], "sha256": row["sha256"]},
    )
    return Download.of(row)
