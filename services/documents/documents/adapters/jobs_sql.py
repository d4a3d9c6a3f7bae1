"""Render jobs: one per version of a candidature, claimed with a lease by the render worker."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

NOTIFY_CHANNEL = "render_jobs"


@dataclass(frozen=True)
class RenderJob:
    id: int
    candidature_id: uuid.UUID
    version: int
    event_type: str
    payload: dict[str, Any]
    attempts: int


async def insert_job(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    version: int,
    event_id: uuid.UUID,
    event_type: str,
    payload: dict[str, Any],
) -> bool:
    """Record a job for a version; a version already recorded (a redelivery) changes nothing."""
    inserted = await conn.fetchval(
        """INSERT INTO render_jobs (candidature_id, version, event_id, event_type, payload)
           VALUES ($1, $2, $3, $4, $5::jsonb)
           ON CONFLICT (candidature_id, version) DO NOTHING
           RETURNING id""",
        candidature_id,
        version,
        event_id,
        event_type,
        payload,  # the pool's jsonb codec encodes it (shared.db)
    )
    return inserted is not None


async def claim_due(conn: asyncpg.Connection, limit: int, lease_s: float) -> list[RenderJob]:
    """Take up to `limit` due jobs for one worker: SKIP LOCKED keeps replicas apart, and the
    lease (a later due_at) keeps them apart after this statement commits."""
    rows = await conn.fetch(
        """UPDATE render_jobs SET due_at = now() + make_interval(secs => $2)
           WHERE id IN (SELECT id FROM render_jobs
                        WHERE status = 'pending' AND due_at <= now()
                        ORDER BY due_at, id
                        LIMIT $1
                        FOR UPDATE SKIP LOCKED)
           RETURNING id, candidature_id, version, event_type, payload, attempts""",
        limit,
        lease_s,
    )
    jobs = [
        RenderJob(
            id=row["id"],
            candidature_id=row["candidature_id"],
            version=row["version"],
            event_type=row["event_type"],
            payload=row["payload"],
            attempts=row["attempts"],
        )
        for row in rows
    ]
    return sorted(jobs, key=lambda job: job.id)


async def mark_done(conn: asyncpg.Connection, job_id: int) -> None:
    await conn.execute(
        """UPDATE render_jobs SET status = 'done', done_at = now(), attempts = attempts + 1,
                                  last_error = NULL
           WHERE id = $1""",
        job_id,
    )


async def defer(conn: asyncpg.Connection, job_id: int, delay_s: float, error: str) -> None:
    """A failed attempt: due again after `delay_s`."""
    await conn.execute(
        """UPDATE render_jobs SET attempts = attempts + 1, last_error = $3,
                                  due_at = now() + make_interval(secs => $2)
           WHERE id = $1 AND status = 'pending'""",
        job_id,
        delay_s,
        error[:2000],
    )


async def pending_count(conn: asyncpg.Connection) -> int:
    count: int = await conn.fetchval("SELECT count(*) FROM render_jobs WHERE status = 'pending'")
    return count
