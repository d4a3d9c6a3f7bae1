"""SQL of the back office: a candidature as staff read it, decisions, aménagements granted,
the read-only switch (migration 009)."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from registration.adapters.candidatures_sql import CANDIDATURE_COLUMNS


async def get_candidature(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, *, lock: bool
) -> asyncpg.Record | None:
    """Any account's candidature (the caller checks the académie); `lock` takes the same row
    lock as the candidate's writes, so a decision and a modification run one after the other."""
    return await conn.fetchrow(
        f"""SELECT {CANDIDATURE_COLUMNS}, c.ecartee_at, c.anonymised_at FROM candidatures c
            WHERE c.id = $1 {"FOR UPDATE" if lock else ""}""",
        candidature_id,
    )


async def list_versions(
    conn: asyncpg.Connection, candidature_id: uuid.UUID
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT v.version, v.saved_at, v.closes_at, v.snapshot, s.handicap, s.amenagement
           FROM candidature_versions v
           LEFT JOIN candidature_sante s
                  ON s.candidature_id = v.candidature_id AND s.version = v.version
           WHERE v.candidature_id = $1 ORDER BY v.version""",
        candidature_id,
    )
    return rows


async def ecarter(conn: asyncpg.Connection, candidature_id: uuid.UUID, at: datetime) -> None:
    await conn.execute(
        """UPDATE candidatures
           SET statut = 'desinscrite', withdrawn_at = $2, ecartee_at = $2, updated_at = $2
           WHERE id = $1""",
        candidature_id,
        at,
    )


async def insert_decision(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    kind: str,
    reason: str,
    version: int,
    decided_by: uuid.UUID,
    decided_role: str,
    at: datetime,
) -> int:
    decision_id: int = await conn.fetchval(
        """INSERT INTO candidature_decisions
               (candidature_id, kind, reason, version, decided_by, decided_role, decided_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""",
        candidature_id,
        kind,
        reason,
        version,
        decided_by,
        decided_role,
        at,
    )
    return decision_id


async def insert_amenagement(
    conn: asyncpg.Connection,
    decision_id: int,
    candidature_id: uuid.UUID,
    mesures: list[str],
    texte: str | None,
) -> None:
    await conn.execute(
        """INSERT INTO candidature_amenagements (decision_id, candidature_id, mesures, texte)
           VALUES ($1, $2, $3, $4)""",
        decision_id,
        candidature_id,
        mesures,
        texte,
    )


async def list_decisions(
    conn: asyncpg.Connection, candidature_id: uuid.UUID
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """SELECT d.id, d.kind, d.reason, d.version, d.decided_by, d.decided_role, d.decided_at,
                  a.mesures, a.texte
           FROM candidature_decisions d
           LEFT JOIN candidature_amenagements a ON a.decision_id = d.id
           WHERE d.candidature_id = $1 ORDER BY d.id""",
        candidature_id,
    )
    return rows


async def get_decision(conn: asyncpg.Connection, decision_id: int) -> asyncpg.Record:
    row: asyncpg.Record = await conn.fetchrow(
        """SELECT d.id, d.kind, d.reason, d.version, d.decided_by, d.decided_role, d.decided_at,
                  a.mesures, a.texte
           FROM candidature_decisions d
           LEFT JOIN candidature_amenagements a ON a.decision_id = d.id
           WHERE d.id = $1""",
        decision_id,
    )
    return row


async def set_read_only(
    conn: asyncpg.Connection,
    enabled: bool,
    reason: str | None,
    at: datetime,
    by: uuid.UUID,
) -> asyncpg.Record | None:
    """The new state, and the previous one (None before the first switch)."""
    before = await conn.fetchrow(
        "SELECT enabled, reason, changed_at FROM read_only_mode FOR UPDATE"
    )
    await conn.execute(
        """INSERT INTO read_only_mode (singleton, enabled, reason, changed_at, changed_by)
           VALUES (true, $1, $2, $3, $4)
           ON CONFLICT (singleton) DO UPDATE
               SET enabled = excluded.enabled, reason = excluded.reason,
                   changed_at = excluded.changed_at, changed_by = excluded.changed_by""",
        enabled,
        reason,
        at,
        by,
    )
    return before


async def get_read_only(conn: asyncpg.Connection) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT enabled, reason, changed_at FROM read_only_mode")
