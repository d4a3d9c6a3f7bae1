"""A candidature's pièces as the candidate and the back office see them, grouped by their
regroupement, dates limites in UTC and in the académie's time."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

import asyncpg

from uploads.domain.academies import zone
from uploads.domain.deposit import is_locked
from uploads.entrypoints.schemas import FileView, GroupeView, PieceView


def local_time(at: datetime, zone_name: str) -> str:
    return at.astimezone(zone(zone_name)).isoformat()


def file_view(row: asyncpg.Record) -> FileView:
    return FileView(
        id=row["id"],
        name=row["display_name"],
        media_type=row["media_type"],
        size=row["size"],
        sha256=row["sha256"],
        deposited_at=row["deposited_at"],
        replaced_at=row["replaced_at"],
        replaced_by=row["replaced_by"],
        deleted_at=row["deleted_at"],
    )


def piece_view(row: asyncpg.Record, files: list[FileView]) -> PieceView:
    current = [f for f in files if f.replaced_at is None and f.deleted_at is None]
    return PieceView(
        id=row["id"],
        code=row["code"],
        libelle=row["libelle"],
        formats=list(row["formats"]),
        max_bytes=row["max_bytes"],
        active=row["active"],
        status=row["status"],
        status_comment=row["status_comment"],
        received_at=row["received_at"],
        status_changed_at=row["status_changed_at"],
        validated_at=row["validated_at"],
        deposited_at=max((f.deposited_at for f in current), default=None),
        locked=is_locked(row["validated_at"], row["status"]),
        files=files,
    )


def groupes(
    pieces: list[asyncpg.Record], files: list[asyncpg.Record], now: datetime
) -> list[GroupeView]:
    by_piece: dict[uuid.UUID, list[FileView]] = defaultdict(list)
    for row in files:
        by_piece[row["piece_id"]].append(file_view(row))
    grouped: dict[uuid.UUID, list[asyncpg.Record]] = defaultdict(list)
    for row in pieces:
        grouped[row["groupe_id"]].append(row)
    return [_groupe(rows, by_piece, now) for rows in grouped.values()]


def _groupe(
    rows: list[asyncpg.Record], files: dict[uuid.UUID, list[FileView]], now: datetime
) -> GroupeView:
    first = rows[0]
    return GroupeView(
        id=first["groupe_id"],
        code=first["groupe_code"],
        libelle=first["groupe_libelle"],
        date_limite=first["date_limite"],
        date_limite_locale=local_time(first["date_limite"], first["fuseau_horaire"]),
        fuseau_horaire=first["fuseau_horaire"],
        depot_ouvert=now <= first["date_limite"],
        pieces=[piece_view(row, files.get(row["id"], [])) for row in rows],
    )
