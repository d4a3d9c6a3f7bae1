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
    render_failures: int = 0
    # Keys earlier attempts were about to put and never recorded (see `intend_key`).
    pending_keys: tuple[str, ...] = ()


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
           RETURNING id, candidature_id, version, event_type, payload, attempts,
                     render_failures, pending_keys""",
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
            render_failures=row["render_failures"],
            pending_keys=tuple(row["pending_keys"]),
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


async def renew(conn: asyncpg.Connection, held: dict[int, int], lease_s: float) -> None:
    """Push the lease of jobs still being worked on (id -> attempts when claimed); a job
    deferred, failed or done meanwhile has moved on (its attempts grew) and is left alone."""
    await conn.execute(
        """UPDATE render_jobs j SET due_at = now() + make_interval(secs => $3)
           FROM unnest($1::bigint[], $2::integer[]) AS h(id, attempts)
           WHERE j.id = h.id AND j.attempts = h.attempts AND j.status = 'pending'""",
        list(held),
        list(held.values()),
        lease_s,
    )


async def fail(conn: asyncpg.Connection, job_id: int, error: str) -> None:
    """Failed too often: no longer claimed, listed for an administrateur."""
    await conn.execute(
        """UPDATE render_jobs SET status = 'failed', failed_at = now(), attempts = attempts + 1,
                                  render_failures = render_failures + 1, last_error = $2
           WHERE id = $1 AND status = 'pending'""",
        job_id,
        error[:2000],
    )


async def count_failure(conn: asyncpg.Connection, job_id: int, delay_s: float, error: str) -> None:
    """A failed render or record (not a storage outage): due again after `delay_s`."""
    await conn.execute(
        """UPDATE render_jobs SET attempts = attempts + 1, render_failures = render_failures + 1,
                                  last_error = $3, due_at = now() + make_interval(secs => $2)
           WHERE id = $1 AND status = 'pending'""",
        job_id,
        delay_s,
        error[:2000],
    )


async def intend_key(conn: asyncpg.Connection, job_id: int, key: str) -> bool:
    """Before the put: the key this attempt stores under, so that a crash before the commit
    leaves a trace; False when the job is no longer pending (done by another attempt, or
    erased), and nothing is to be put."""
    found = await conn.fetchval(
        """UPDATE render_jobs SET pending_keys = array_append(pending_keys, $2)
           WHERE id = $1 AND status = 'pending' RETURNING id""",
        job_id,
        key,
    )
    return found is not None


async def settle_key(conn: asyncpg.Connection, job_id: int, key: str) -> bool:
    """In the recording transaction (the job's row locked): False when a later attempt took
    the key for an orphan (this attempt's lease ran out), so this attempt records nothing."""
    found = await conn.fetchval(
        """UPDATE render_jobs SET pending_keys = array_remove(pending_keys, $2)
           WHERE id = $1 AND $2 = ANY(pending_keys) RETURNING id""",
        job_id,
        key,
    )
    return found is not None


async def collect_orphans(conn: asyncpg.Connection, job_id: int) -> int:
    """Queue for removal the objects earlier attempts put and never recorded (no document
    names them); in a transaction, with the job's row locked by the first statement."""
    keys: list[str] = (
        await conn.fetchval("SELECT pending_keys FROM render_jobs WHERE id = $1 FOR UPDATE", job_id)
        or []
    )
    await conn.execute(
        """INSERT INTO objects_to_remove (object_key)
           SELECT key FROM unnest($1::text[]) AS key
           WHERE NOT EXISTS (SELECT 1 FROM documents WHERE object_key = key)
           ON CONFLICT DO NOTHING""",
        keys,
    )
    await conn.execute("UPDATE render_jobs SET pending_keys = '{}' WHERE id = $1", job_id)
    return len(keys)


async def failed_jobs(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    rows = await conn.fetch(
        """SELECT id, candidature_id, version, event_type, attempts, render_failures,
                  last_error, created_at, failed_at
           FROM render_jobs WHERE status = 'failed'
           ORDER BY failed_at DESC, id DESC LIMIT $1""",
        limit,
    )
    return list(rows)


async def retry(conn: asyncpg.Connection, job_id: int) -> asyncpg.Record | None:
    """A failed job pending again, due now, its failures forgotten (its error kept until the
    next attempt); None when no failed job has this id."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """UPDATE render_jobs SET status = 'pending', due_at = now(), render_failures = 0,
                                  failed_at = NULL
           WHERE id = $1 AND status = 'failed'
           RETURNING id, candidature_id, version, event_type, attempts, render_failures,
                     last_error, created_at, failed_at""",
        job_id,
    )
    return row


async def status_of(conn: asyncpg.Connection, job_id: int) -> str | None:
    status: str | None = await conn.fetchval("SELECT status FROM render_jobs WHERE id = $1", job_id)
    return status
