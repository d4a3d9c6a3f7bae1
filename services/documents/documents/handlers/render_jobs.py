"""Failed render jobs, for an administrateur: the list, and a retry (pending again, due now,
its failures forgotten; a worker takes it at its next poll, within `render_poll_interval_s`)."""

from __future__ import annotations

import asyncpg

from documents.adapters import jobs_sql
from documents.deps import Deps
from documents.domain.errors import RenderJobNotFailed, RenderJobNotFound

LISTED = 200


async def failed(conn: asyncpg.Connection, deps: Deps) -> list[asyncpg.Record]:
    return await jobs_sql.failed_jobs(conn, LISTED)


async def retry(conn: asyncpg.Connection, job_id: int, deps: Deps) -> asyncpg.Record:
    retried = await jobs_sql.retry(conn, job_id)
    if retried is not None:
        return retried
    status = await jobs_sql.status_of(conn, job_id)
    if status is None:
        raise RenderJobNotFound(job_id)
    raise RenderJobNotFailed(job_id, status)
