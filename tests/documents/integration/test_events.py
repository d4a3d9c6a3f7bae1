"""Candidature events become render jobs (one per version) and mark withdrawals."""

from __future__ import annotations

import asyncpg

from shared.testing import factories
from shared.testing.helpers import wait_until
from shared.testing.service import ServiceUnderTest


async def _jobs(pool: asyncpg.Pool, candidature_id: object) -> list[asyncpg.Record]:
    return list(
        await pool.fetch(
            "SELECT version, event_type FROM render_jobs WHERE candidature_id = $1 ORDER BY 1",
            candidature_id,
        )
    )


async def test_each_version_is_one_render_job(service: ServiceUnderTest) -> None:
    created = factories.candidature_created()
    ref = created.candidature
    await service.publish(created)
    await service.publish(created)  # another event id, the same version: still one job
    modified = factories.candidature_modified(candidature=ref, version=2)
    await service.publish(modified)

    async def both() -> bool:
        return len(await _jobs(service.pool, ref.candidature_id)) == 2

    assert await wait_until(both)
    jobs = await _jobs(service.pool, ref.candidature_id)
    assert [(job["version"], job["event_type"]) for job in jobs] == [
        (1, "CandidatureCreated"),
        (2, "CandidatureModified"),
    ]
    kinds = await service.pool.fetch(
        "SELECT jsonb_typeof(payload) AS kind FROM render_jobs WHERE candidature_id = $1",
        ref.candidature_id,
    )
    assert [row["kind"] for row in kinds] == ["object", "object"]  # not a JSON string
    latest = await service.pool.fetchval(
        "SELECT latest_version FROM candidatures WHERE candidature_id = $1", ref.candidature_id
    )
    assert latest == 2


async def test_a_withdrawal_marks_the_candidature(service: ServiceUnderTest) -> None:
    created = factories.candidature_created()
    ref = created.candidature
    await service.publish(created)
    await service.publish(factories.candidature_withdrawn(candidature=ref))

    async def withdrawn() -> bool:
        at = await service.pool.fetchval(
            "SELECT withdrawn_at FROM candidatures WHERE candidature_id = $1", ref.candidature_id
        )
        return at is not None

    assert await wait_until(withdrawn)
