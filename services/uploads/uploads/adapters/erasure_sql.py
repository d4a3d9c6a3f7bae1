"""Deleting an erased account's or a purged session's pièces, their files queued for removal
from the bucket (migration 002)."""

from __future__ import annotations

import uuid

import asyncpg


async def delete_candidatures(conn: asyncpg.Connection, candidature_ids: list[uuid.UUID]) -> int:
    """Their files' objects queued, then the candidatures (pièces, files and declarations go
    with them)."""
    await conn.execute(
        """INSERT INTO objects_to_remove (object_key)
           SELECT object_key FROM piece_files WHERE candidature_id = ANY($1)
           ON CONFLICT DO NOTHING""",
        candidature_ids,
    )
    deleted: str = await conn.execute(
        "DELETE FROM candidatures WHERE candidature_id = ANY($1)", candidature_ids
    )
    return int(deleted.split()[-1])


async def candidatures_of(conn: asyncpg.Connection, account_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "SELECT candidature_id FROM candidatures WHERE account_id = $1", account_id
    )
    return [row["candidature_id"] for row in rows]


async def objects_to_remove(conn: asyncpg.Connection, limit: int) -> list[str]:
    rows = await conn.fetch(
        "SELECT object_key FROM objects_to_remove ORDER BY recorded_at LIMIT $1", limit
    )
    return [row["object_key"] for row in rows]


async def forget(conn: asyncpg.Connection, keys: list[str]) -> None:
    await conn.execute("DELETE FROM objects_to_remove WHERE object_key = ANY($1)", keys)
