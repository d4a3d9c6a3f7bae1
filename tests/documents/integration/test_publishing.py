"""Candidature events become stored, recorded, announced confirmations: one a version, whatever
the redeliveries or concurrent attempts; an S3 failure delays one, loses none."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import uuid
from concurrent.futures import BrokenExecutor

import asyncpg
import pytest
from minio import Minio

from documents.adapters import documents_sql, jobs_sql
from documents.adapters.documents_sql import NewDocument
from documents.deps import DEPS
from documents.entrypoints.worker import RenderPool, executor, rendering
from documents.handlers.publishing import Policy, Publisher
from shared.events.catalogue import CandidatureCreated
from shared.storage import STORE
from shared.testing import factories
from shared.testing.helpers import wait_until
from shared.testing.infrastructure import S3Endpoint
from shared.testing.service import ServiceUnderTest, Start
from tests.documents.integration.conftest import s3_client


async def documents_of(pool: asyncpg.Pool, candidature_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(
        await pool.fetch(
            "SELECT * FROM documents WHERE candidature_id = $1 ORDER BY version",
            candidature_id,
        )
    )


async def published(service: ServiceUnderTest, candidature_id: uuid.UUID, count: int = 1) -> bool:
    async def done() -> bool:
        return len(await documents_of(service.pool, candidature_id)) >= count

    return await wait_until(done)


async def test_an_event_becomes_a_stored_and_announced_document(
    service: ServiceUnderTest,
) -> None:
    created = factories.candidature_created()
    ref = created.candidature
    await service.publish(created)

    assert await published(service, ref.candidature_id)
    (document,) = await documents_of(service.pool, ref.candidature_id)
    stored = await service.app[STORE].read(document["object_key"])
    assert stored.startswith(b"%PDF-")
    assert document["size"] == len(stored)
    assert document["sha256"] == hashlib.sha256(stored).hexdigest()
    assert (document["kind"], document["version"]) == ("confirmation_inscription", 1)
    assert document["account_id"] == ref.account_id

    rows = await service.pool.fetch(
        "SELECT body FROM outbox WHERE event_type = 'DocumentPublished'"
    )
    (body,) = [json.loads(row["body"]) for row in rows]
    assert body["payload"]["document_id"] == str(document["id"])
    assert body["payload"]["version"] == 1
    assert body["payload"]["candidature"]["numero_inscription"] == ref.numero_inscription
    status = await service.pool.fetchval(
        "SELECT status FROM render_jobs WHERE candidature_id = $1", ref.candidature_id
    )
    assert status == "done"


async def test_a_duplicate_event_makes_one_document(service: ServiceUnderTest) -> None:
    created = factories.candidature_created()
    ref = created.candidature
    await service.publish(created)
    await service.publish(created)
    await service.publish(factories.candidature_modified(candidature=ref, version=2))

    assert await published(service, ref.candidature_id, 2)

    async def all_done() -> bool:
        pending = await service.pool.fetchval(
            "SELECT count(*) FROM render_jobs WHERE candidature_id = $1 AND status <> 'done'",
            ref.candidature_id,
        )
        return bool(pending == 0)

    assert await wait_until(all_done)
    documents = await documents_of(service.pool, ref.candidature_id)
    assert [document["version"] for document in documents] == [1, 2]
    announced = await service.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE event_type = 'DocumentPublished'"
    )
    assert announced == 2


async def test_two_attempts_at_once_record_one_document(service: ServiceUnderTest) -> None:
    """Two replicas holding the same job (a lease ran out mid-render): one document, and the
    loser's object is removed."""
    created = factories.candidature_created()
    ref = created.candidature
    payload = created.model_dump(mode="json")
    async with service.pool.acquire() as conn, conn.transaction():
        await jobs_sql.insert_job(
            conn, ref.candidature_id, 1, uuid.uuid4(), "CandidatureCreated", payload
        )
        # Not due: the service's own worker leaves it to the two attempts below.
        job_id = await conn.fetchval(
            """UPDATE render_jobs SET due_at = now() + interval '1 hour'
               WHERE candidature_id = $1 RETURNING id""",
            ref.candidature_id,
        )
    job = jobs_sql.RenderJob(
        id=job_id,
        candidature_id=ref.candidature_id,
        version=1,
        event_type="CandidatureCreated",
        payload=payload,
        attempts=0,
    )
    pool = executor(0)
    publisher = Publisher(
        service.pool, service.app[STORE], service.app[DEPS], rendering(pool), Policy(1, 60, 1, 1)
    )
    outcomes = await asyncio.gather(publisher.publish(job), publisher.publish(job))
    pool.shutdown()
    assert sorted(outcomes) == [False, True]
    (document,) = await documents_of(service.pool, ref.candidature_id)
    store = service.app[STORE]
    objects = [item.object_name for item in store.client.list_objects(store.bucket, recursive=True)]
    assert objects == [document["object_key"]]


async def test_a_failing_put_is_retried_then_published(
    start: Start, s3_server: S3Endpoint, bucket_name: str
) -> None:
    service = await start()  # its bucket does not exist yet: every put fails
    created: CandidatureCreated = factories.candidature_created()
    ref = created.candidature
    await service.publish(created)

    async def failed_twice() -> bool:
        attempts = await service.pool.fetchval(
            "SELECT attempts FROM render_jobs WHERE candidature_id = $1", ref.candidature_id
        )
        return bool(attempts and attempts >= 2)

    assert await wait_until(failed_twice)
    error = await service.pool.fetchval(
        "SELECT last_error FROM render_jobs WHERE candidature_id = $1", ref.candidature_id
    )
    assert error.startswith("storage:")
    assert await documents_of(service.pool, ref.candidature_id) == []
    ready = await service.client.get("/health/ready")
    assert ready.status == 503

    client: Minio = s3_client(s3_server)
    client.make_bucket(bucket_name)
    assert await published(service, ref.candidature_id)
    ready = await service.client.get("/health/ready")
    assert ready.status == 200


async def test_a_crash_between_the_put_and_the_commit_leaves_one_document_and_no_orphan(
    start: Start, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first commit fails after the object was put (the process died, the database went
    away): the job is tried again and published once, and the first attempt's object, which
    no document names, is removed."""
    real_insert = documents_sql.insert_document
    calls = 0

    async def crash_once(conn: asyncpg.Connection, document: NewDocument) -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("crashed before the commit")
        return await real_insert(conn, document)

    monkeypatch.setattr(documents_sql, "insert_document", crash_once)
    service = await start(render_lease_s=1)
    created = factories.candidature_created()
    ref = created.candidature
    await service.publish(created)

    assert await published(service, ref.candidature_id)
    assert calls == 2
    (document,) = await documents_of(service.pool, ref.candidature_id)
    store = service.app[STORE]

    async def only_the_document_stored() -> bool:
        listed = store.client.list_objects(store.bucket, recursive=True)
        return {item.object_name for item in listed} == {document["object_key"]}

    assert await wait_until(only_the_document_stored)
    pending = await service.pool.fetchval(
        "SELECT pending_keys FROM render_jobs WHERE candidature_id = $1", ref.candidature_id
    )
    assert pending == []
    announced = await service.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE event_type = 'DocumentPublished'"
    )
    assert announced == 1


async def test_a_dead_render_process_is_replaced() -> None:
    """The render process is killed: the render fails (its job is deferred), the pool is
    replaced, and the next render works."""
    pool = RenderPool(1)
    try:
        created = factories.candidature_created()
        payload = created.model_dump(mode="json")
        assert (await pool.render("CandidatureCreated", payload)).startswith(b"%PDF-")
        processes = getattr(pool.executor, "_processes", {})
        for pid in list(processes):
            os.kill(pid, signal.SIGKILL)
        with pytest.raises(BrokenExecutor):
            await pool.render("CandidatureCreated", payload)
        assert (await pool.render("CandidatureCreated", payload)).startswith(b"%PDF-")
    finally:
        pool.shutdown()
