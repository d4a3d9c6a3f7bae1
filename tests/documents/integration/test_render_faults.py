"""The render pipeline's faults: a slow render keeps its lease, a job that always fails stops
(listed and retried by an administrateur), an S3 outage never counts as a failure, two
replicas make one document a version and leave no object unnamed, purged candidatures'
documents go."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg

from documents.adapters import jobs_sql
from documents.deps import DEPS
from documents.domain.stamp import Stamp
from documents.entrypoints.worker import executor, rendering
from documents.handlers.publishing import Policy, Publisher
from shared.auth import Role
from shared.storage import STORE
from shared.testing import factories
from shared.testing.helpers import wait_until
from shared.testing.infrastructure import S3Endpoint
from shared.testing.service import ServiceUnderTest, Start
from shared.testing.tokens import TestKeys
from tests.documents.integration.conftest import s3_client
from tests.documents.integration.test_publishing import documents_of, published


def admin(test_keys: TestKeys) -> dict[str, str]:
    return {"Authorization": f"Bearer {test_keys.token(Role.ADMINISTRATEUR)}"}


async def job_row(pool: asyncpg.Pool, job_id: int) -> asyncpg.Record:
    row: asyncpg.Record = await pool.fetchrow("SELECT * FROM render_jobs WHERE id = $1", job_id)
    return row


async def unrenderable_job(pool: asyncpg.Pool) -> int:
    """A job whose payload no renderer can take (a bug upstream, say)."""
    async with pool.acquire() as conn, conn.transaction():
        await jobs_sql.insert_job(
            conn, uuid.uuid4(), 1, uuid.uuid4(), "CandidatureCreated", {"not": "a candidature"}
        )
        job_id: int = await conn.fetchval("SELECT max(id) FROM render_jobs")
    return job_id


def stored_confirmations(service: ServiceUnderTest) -> set[str]:
    store = service.app[STORE]
    listed = store.client.list_objects(store.bucket, prefix="confirmations/", recursive=True)
    return {item.object_name for item in listed}


async def test_a_job_that_always_fails_stops_and_an_administrateur_retries_it(
    start: Start, bucket: str, test_keys: TestKeys
) -> None:
    service = await start(render_max_attempts=3)
    job_id = await unrenderable_job(service.pool)

    async def failed() -> bool:
        return bool((await job_row(service.pool, job_id))["status"] == "failed")

    assert await wait_until(failed)
    row = await job_row(service.pool, job_id)
    assert (row["render_failures"], row["attempts"]) == (3, 3)
    assert row["last_error"].startswith("render:")

    response = await service.client.get(
        "/api/v1/admin/render-jobs/failed", headers=admin(test_keys)
    )
    assert response.status == 200
    (listed,) = [job for job in await response.json() if job["id"] == job_id]
    assert listed["render_failures"] == 3
    assert listed["last_error"].startswith("render:")

    response = await service.client.post(
        f"/api/v1/admin/render-jobs/{job_id}/retry", headers=admin(test_keys)
    )
    assert response.status == 200
    assert (await response.json())["render_failures"] == 0
    # Tried again by the worker, and failing for good again after three more failures.
    assert await wait_until(failed)
    assert (await job_row(service.pool, job_id))["attempts"] == 6


async def test_retrying_a_job_that_did_not_fail_is_refused(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    created = factories.candidature_created()
    await service.publish(created)
    assert await published(service, created.candidature.candidature_id)
    job_id = await service.pool.fetchval(
        "SELECT id FROM render_jobs WHERE candidature_id = $1", created.candidature.candidature_id
    )

    async def done() -> bool:
        return bool((await job_row(service.pool, job_id))["status"] == "done")

    assert await wait_until(done)
    url = f"/api/v1/admin/render-jobs/{job_id}/retry"
    response = await service.client.post(url, headers=admin(test_keys))
    assert response.status == 409
    response = await service.client.post(
        "/api/v1/admin/render-jobs/999999999/retry", headers=admin(test_keys)
    )
    assert response.status == 404
    candidat = {"Authorization": f"Bearer {test_keys.token(Role.CANDIDAT)}"}
    response = await service.client.post(url, headers=candidat)
    assert response.status == 403
    response = await service.client.get("/api/v1/admin/render-jobs/failed", headers=candidat)
    assert response.status == 403


async def test_an_s3_outage_delays_but_never_fails_a_job(
    start: Start, s3_server: S3Endpoint, bucket_name: str
) -> None:
    service = await start(render_max_attempts=1)  # no bucket yet: every put fails
    created = factories.candidature_created()
    ref = created.candidature
    await service.publish(created)

    async def failed_three_puts() -> bool:
        attempts = await service.pool.fetchval(
            "SELECT attempts FROM render_jobs WHERE candidature_id = $1", ref.candidature_id
        )
        return bool(attempts and attempts >= 3)

    assert await wait_until(failed_three_puts)
    row = await service.pool.fetchrow(
        "SELECT status, render_failures FROM render_jobs WHERE candidature_id = $1",
        ref.candidature_id,
    )
    assert (row["status"], row["render_failures"]) == ("pending", 0)

    s3_client(s3_server).make_bucket(bucket_name)
    assert await published(service, ref.candidature_id)
    (document,) = await documents_of(service.pool, ref.candidature_id)

    async def no_orphan() -> bool:  # the failed puts' keys were collected, none stored
        return stored_confirmations(service) == {document["object_key"]}

    assert await wait_until(no_orphan)


async def test_a_slow_render_keeps_its_lease(start: Start, bucket: str) -> None:
    """A render that outlasts the lease three times: its lease is renewed, so no other
    replica claims the job meanwhile, and it is published once, by the slow attempt."""
    service = await start(render_poll_interval_s=3600)  # its own worker stays out of the way
    created = factories.candidature_created()
    ref = created.candidature
    async with service.pool.acquire() as conn, conn.transaction():
        await jobs_sql.insert_job(
            conn,
            ref.candidature_id,
            1,
            uuid.uuid4(),
            "CandidatureCreated",
            created.model_dump(mode="json"),
        )
        await conn.execute(
            "UPDATE render_jobs SET due_at = now() + interval '1 hour' WHERE candidature_id = $1",
            ref.candidature_id,
        )
    await service.pool.execute(
        "UPDATE render_jobs SET due_at = now() WHERE candidature_id = $1", ref.candidature_id
    )
    pool = executor(0)
    render = rendering(pool)
    rendering_started = asyncio.Event()

    async def slow(event_type: str, payload: dict[str, Any], stamp: Stamp | None) -> bytes:
        rendering_started.set()
        await asyncio.sleep(3.5)
        return await render(event_type, payload, stamp)

    lease_s = 1.0
    publisher = Publisher(
        service.pool, service.app[STORE], service.app[DEPS], slow, Policy(1, lease_s, 1, 1)
    )
    slow_attempt = asyncio.ensure_future(publisher.publish_due())
    await rendering_started.wait()
    claimed_by_another: list[jobs_sql.RenderJob] = []
    while not slow_attempt.done():
        async with service.pool.acquire() as conn:
            claimed_by_another += await jobs_sql.claim_due(conn, 10, lease_s)
        await asyncio.sleep(0.2)
    assert await slow_attempt == 1
    pool.shutdown()
    assert claimed_by_another == []
    assert len(await documents_of(service.pool, ref.candidature_id)) == 1
    row = await service.pool.fetchrow(
        "SELECT status, attempts FROM render_jobs WHERE candidature_id = $1", ref.candidature_id
    )
    assert (row["status"], row["attempts"]) == ("done", 1)


async def test_two_replicas_make_one_document_a_version_and_no_unnamed_object(
    start: Start, bucket: str
) -> None:
    first = await start(render_processes=0)
    second = await start(render_processes=0)
    refs = []
    for index in range(8):
        created = factories.candidature_created()
        refs.append(created.candidature)
        replica = (first, second)[index % 2]
        await replica.publish(created)
        await replica.publish(created)  # redelivered
        await replica.publish(
            factories.candidature_modified(candidature=created.candidature, version=2)
        )

    for ref in refs:
        assert await published(first, ref.candidature_id, 2)

    async def all_done() -> bool:
        pending = await first.pool.fetchval(
            "SELECT count(*) FROM render_jobs WHERE status <> 'done'"
        )
        return bool(pending == 0)

    assert await wait_until(all_done)
    rows = await first.pool.fetch("SELECT candidature_id, version, object_key FROM documents")
    assert len(rows) == 16
    assert len({(row["candidature_id"], row["version"]) for row in rows}) == 16
    announced = await first.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE event_type = 'DocumentPublished'"
    )
    assert announced == 16

    async def only_named_objects() -> bool:
        return stored_confirmations(first) == {row["object_key"] for row in rows}

    assert await wait_until(only_named_objects)


async def test_purged_candidatures_lose_their_documents_codes_and_files(
    service: ServiceUnderTest,
) -> None:
    purged, kept = factories.candidature_created(), factories.candidature_created()
    for created in (purged, kept):
        await service.publish(created)
        assert await published(service, created.candidature.candidature_id)
    code = await service.pool.fetchval(
        """SELECT v.code FROM verifications v JOIN documents d ON d.id = v.document_id
           WHERE d.candidature_id = $1""",
        purged.candidature.candidature_id,
    )
    (kept_document,) = await documents_of(service.pool, kept.candidature.candidature_id)

    ref = purged.candidature
    await service.publish(
        factories.candidatures_purged(
            examen=ref.examen.code,
            session=ref.session,
            academie=ref.academie.code,
            candidature_ids=[ref.candidature_id],
        )
    )

    async def gone() -> bool:
        left = await service.pool.fetchval(
            "SELECT count(*) FROM candidatures WHERE candidature_id = $1", ref.candidature_id
        )
        return bool(left == 0)

    assert await wait_until(gone)
    assert await documents_of(service.pool, ref.candidature_id) == []
    for table in ("render_jobs", "documents"):
        count = await service.pool.fetchval(
            f"SELECT count(*) FROM {table} WHERE candidature_id = $1",
            ref.candidature_id,
        )
        assert count == 0
    response = await service.client.get(f"/api/v1/verification/{code}")
    assert response.status == 404

    async def only_the_kept_file() -> bool:
        return stored_confirmations(service) == {kept_document["object_key"]}

    assert await wait_until(only_the_kept_file)
