"""Benchmark: confirmations rendered, stored and recorded per second by the documents service's
worker, next to bare renderer loops (unstamped, and stamped as the worker renders: the ratio is
against that one) and a bare `minio` put loop in the same run, the API's
latency while a batch renders, event → downloadable p50/p99 at a steady rate through the bus, and
a gestionnaire's batch of convocations with the download latency measured while it renders.

    TEST_POSTGRES_DSN=postgresql://postgres@127.0.0.1:5432/postgres \\
    TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5672/ \\
    .venv/bin/python benchmarks/documents_bench.py [--documents 300] [--rate 20] [--seconds 15]

The S3 server is moto's, in a process of its own (`moto_server`). The backlog is inserted as
render jobs straight into the service's database (the inbox step is not measured: it is one
insert per event), then the clock runs until the last document is recorded. Then events are
published on the bus at `--rate` per second for `--seconds`; the delay of each is from its
publication to its document's `published_at` (taken just before the commit). No queue is bound
to DocumentPublished on the bench's exchange, so the relay logs "refused by the broker" for each:
expected here. Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import asyncpg
from aiohttp import web
from minio import Minio

from documents.adapters import candidatures_sql, gestion_sql
from documents.adapters.signing import load_keys
from documents.app import build_app
from documents.domain.confirmation import render_confirmation
from documents.domain.stamp import Stamp
from documents.domain.templates import TEMPLATE, render_template
from documents.handlers.verification import issue_confirmation
from documents.settings import Settings
from shared.auth import Role
from shared.bus.broker import Broker
from shared.storage import ObjectStore
from shared.testing import factories
from shared.testing.helpers import publish_event
from shared.testing.infrastructure import free_port
from shared.testing.plugin import create_database, drop_database
from shared.testing.tokens import TestKeys

CONVOCATION = {
    "template": "convocation",
    "epreuves": [{"code": "E1", "jour": "2027-05-12", "heure": "08:30", "lieu": "Lycée Pasteur"}],
}


def bare_render(count: int) -> float:
    event = factories.candidature_created()
    render_confirmation(event)  # fonts loaded
    started = time.perf_counter()
    for _ in range(count):
        render_confirmation(event)
    return count / (time.perf_counter() - started)


def bare_stamped_render(count: int) -> float:
    """As the worker renders: a code drawn and a token signed for each, then the page with its
    stamp (QR and code)."""
    event = factories.candidature_created()
    payload = event.model_dump(mode="json")
    keys = load_keys(None)
    render_confirmation(event, issue_confirmation(event, payload, keys).stamp)
    started = time.perf_counter()
    for _ in range(count):
        render_confirmation(event, issue_confirmation(event, payload, keys).stamp)
    return count / (time.perf_counter() - started)


def bare_convocations(count: int) -> float:
    template = TEMPLATE.validate_python(CONVOCATION)
    event = factories.candidature_created()
    stamp = Stamp("BENCH", "")
    render_template(template, event, stamp, factories.utc_now())
    started = time.perf_counter()
    for _ in range(count):
        render_template(template, event, stamp, factories.utc_now())
    return count / (time.perf_counter() - started)


async def bare_put(store: ObjectStore, count: int) -> float:
    pdf = render_confirmation(factories.candidature_created())
    started = time.perf_counter()
    for n in range(count):
        await store.put(f"bare/{n}.pdf", pdf, "application/pdf")
    return count / (time.perf_counter() - started)


async def insert_backlog(dsn: str, count: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        rows = []
        for _ in range(count):
            event = factories.candidature_created()
            payload = json.dumps(event.model_dump(mode="json"))
            rows.append((event.candidature.candidature_id, 1, uuid.uuid4(), payload))
        await conn.executemany(
            """INSERT INTO render_jobs (candidature_id, version, event_id, event_type, payload)
               VALUES ($1, $2, $3, 'CandidatureCreated', $4::jsonb)""",
            rows,
        )
    finally:
        await conn.close()


async def latencies(url: str, token: str, stop: asyncio.Event) -> list[float]:
    found: list[float] = []
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
        while not stop.is_set():
            started = time.perf_counter()
            async with session.get(url) as response:
                await response.read()
            found.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.01)
    return found


async def steady(settings: Settings, dsn: str, rate: float, seconds: float) -> list[float]:
    """Events at a steady rate through the bus; each one's publication → document delay (ms)."""
    broker = Broker(settings.amqp_url, settings.events_exchange)
    await broker.connect()
    sent: dict[uuid.UUID, float] = {}
    started = time.time()
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, started + n / rate - time.time()))
        event = factories.candidature_created()
        sent[event.candidature.candidature_id] = time.time()
        await publish_event(broker, event, "registration")
    await broker.close()
    conn = await asyncpg.connect(dsn)
    try:
        query = "SELECT candidature_id, published_at FROM documents WHERE candidature_id = ANY($1)"
        rows: list[asyncpg.Record] = []
        deadline = time.time() + 60
        while time.time() < deadline:
            rows = await conn.fetch(query, list(sent))
            if len(rows) == len(sent):
                break
            await asyncio.sleep(0.1)
    finally:
        await conn.close()
    return [(row["published_at"].timestamp() - sent[row["candidature_id"]]) * 1000 for row in rows]


async def insert_candidatures(dsn: str, count: int) -> None:
    """Candidatures of académie BES the service has heard of (what a batch selects)."""
    conn = await asyncpg.connect(dsn)
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    try:
        async with conn.transaction():
            for _ in range(count):
                event = factories.candidature_created()
                await candidatures_sql.record(conn, event.candidature, 1)
                await gestion_sql.record_snapshot(conn, event)
    finally:
        await conn.close()


async def convocation_batch(
    base: str, dsn: str, keys: TestKeys, count: int
) -> tuple[float, list[float], list[float]]:
    """A batch of `count` convocations through the API; downloads of a confirmation measured
    before (idle) and while it renders. Returns (convocations/s, idle ms, busy ms)."""
    conn = await asyncpg.connect(dsn)
    document = await conn.fetchrow("SELECT id, account_id FROM documents LIMIT 1")
    await insert_candidatures(dsn, count)
    download = f"{base}/api/v1/me/documents/{document['id']}"
    token = keys.token(Role.CANDIDAT, account_id=document["account_id"])
    stop = asyncio.Event()
    idle_task = asyncio.create_task(latencies(download, token, stop))
    await asyncio.sleep(2)
    stop.set()
    idle = await idle_task
    gestionnaire = keys.token(Role.GESTIONNAIRE, academies=["BES"])
    body = {"filter": {"academie": "BES"}, "document": CONVOCATION}
    stop = asyncio.Event()
    busy_task = asyncio.create_task(latencies(download, token, stop))
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {gestionnaire}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.post(f"{base}/api/v1/admin/document-batches", json=body) as response:
            batch_id = (await response.json())["id"]
        while True:
            async with session.get(f"{base}/api/v1/admin/document-batches/{batch_id}") as got:
                view = await got.json()
            if view["finished"]:
                break
            await asyncio.sleep(0.1)
    elapsed = time.perf_counter() - started
    stop.set()
    busy = await busy_task
    await conn.close()
    return view["done"] / elapsed, idle, busy


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(arguments: argparse.Namespace) -> None:
    s3_port = free_port()
    moto = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "moto_server"),
        *("-H", "127.0.0.1", "-p", str(s3_port)),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    dsn = await create_database(arguments.postgres)
    try:
        endpoint = f"127.0.0.1:{s3_port}"
        client = Minio(endpoint, access_key="testing", secret_key="testing", secure=False)
        for _ in range(100):
            try:
                client.make_bucket("documents")
                break
            except Exception:
                await asyncio.sleep(0.1)
        keys = TestKeys()
        tag = uuid.uuid4().hex[:8]
        settings = Settings(
            environment="test",
            log_level="WARNING",
            database_url=dsn,
            amqp_url=arguments.amqp,
            events_exchange=f"bench-events.{tag}",
            queue_prefix=f"bench.{tag}",
            jwt_jwks=json.dumps(keys.jwks),
            jwt_audience=keys.audience,
            jwt_issuer=keys.issuer,
            s3_endpoint=endpoint,
            s3_access_key="testing",
            s3_secret_key="testing",
            render_processes=arguments.processes,
            gestion_processes=arguments.gestion_processes,
            gestion_batch_size=16,
            render_batch_size=16,
            render_poll_interval_s=0.2,
        )
        renders = bare_render(arguments.bare)
        stamped_renders = bare_stamped_render(arguments.bare)
        bare_convocation = bare_convocations(arguments.bare)
        puts = await bare_put(ObjectStore.connect(settings, "documents"), arguments.bare)

        port = free_port()
        runner = web.AppRunner(build_app(settings))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        url = f"http://127.0.0.1:{port}/api/v1/me/candidatures"
        token = keys.token(Role.CANDIDAT, account_id=uuid.uuid4())
        stop = asyncio.Event()
        idle_task = asyncio.create_task(latencies(url, token, stop))
        await asyncio.sleep(2)
        stop.set()
        idle = await idle_task

        await insert_backlog(dsn, arguments.documents)
        stop = asyncio.Event()
        busy_task = asyncio.create_task(latencies(url, token, stop))
        started = time.perf_counter()
        conn = await asyncpg.connect(dsn)
        while await conn.fetchval("SELECT count(*) FROM documents") < arguments.documents:
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        await conn.close()
        stop.set()
        busy = await busy_task
        delays = await steady(settings, dsn, arguments.rate, arguments.seconds)
        convocations, idle_downloads, busy_downloads = await convocation_batch(
            f"http://127.0.0.1:{port}", dsn, keys, arguments.convocations
        )
        await runner.cleanup()
    finally:
        await drop_database(arguments.postgres, dsn)
        moto.terminate()
        await moto.wait()
    worker = arguments.documents / elapsed
    print(f"bare renderer:  {renders:7.1f} pages/s (one core, no stamp)")
    print(
        f"bare stamped renderer: {stamped_renders:7.1f} pages/s (one core, code + QR + signature)"
    )
    print(f"bare minio put: {puts:7.1f} puts/s (sequential)")
    print(
        f"service worker: {worker:7.1f} documents/s rendered+stored+recorded "
        f"({arguments.processes} render process(es); {worker / stamped_renders:.0%} of the "
        f"stamped bare renderer, {worker / renders:.0%} of the unstamped one)"
    )
    print(
        f"event -> downloadable at {arguments.rate}/s for {arguments.seconds} s: "
        f"p50 {statistics.median(delays):.0f} ms, p99 {pct(delays, 0.99):.0f} ms "
        f"({len(delays)} events)"
    )
    for name, values in (("idle", idle), ("while rendering", busy)):
        print(
            f"GET /api/v1/me/candidatures {name}: p50 {statistics.median(values):.1f} ms, "
            f"p99 {pct(values, 0.99):.1f} ms ({len(values)} requests)"
        )
    print(f"bare convocation renderer: {bare_convocation:7.1f} pages/s (one core)")
    print(
        f"batch of {arguments.convocations} convocations: {convocations:.1f} documents/s "
        f"rendered+stored+recorded ({arguments.gestion_processes} generation process(es); "
        f"{convocations / bare_convocation:.0%} of the bare renderer)"
    )
    for name, values in (("idle", idle_downloads), ("during the batch", busy_downloads)):
        print(
            f"download of a document {name}: p50 {statistics.median(values):.1f} ms, "
            f"p99 {pct(values, 0.99):.1f} ms ({len(values)} requests)"
        )


if __name__ == "__main__":
    import os

    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--bare", type=int, default=200)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--convocations", type=int, default=300)
    parser.add_argument("--gestion-processes", type=int, default=1)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--postgres", default=os.environ["TEST_POSTGRES_DSN"])
    parser.add_argument("--amqp", default=os.environ["TEST_AMQP_URL"])
    asyncio.run(main(parser.parse_args()))
