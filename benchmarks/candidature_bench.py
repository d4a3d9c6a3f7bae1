"""Benchmark of the candidature (M'inscrire, the six tabs, the récapitulatif, Enregistrer).

    .venv/bin/python -m benchmarks.candidature_bench [--candidates 256] [--runs 1]

Starts, on 127.0.0.1 only, the registration service (on a scratch database loaded with the seed
plus a BTS 2027 window of académie 001 open now, and a scratch exchange and queues) and a bare
aiohttp JSON hello-world, each as its own process run the same way (uvloop, no access log).
The candidates' identities are written straight into the registration projection, as the
accounts events would have. Then, from this process, each run measures:

- the hello-world, `--concurrency` concurrent GETs: the ceiling of an aiohttp process here;
- a bare asyncpg loop, 16 connections each doing BEGIN; INSERT a row; COMMIT: the ceiling of
  a committed transaction on this PostgreSQL;
- the journeys: `--concurrency` concurrent candidates, `--candidates` in all, each opening a
  draft, filling the six input tabs, reading the récapitulatif and enregistrer; then 20 % of
  them modify once (a tab, then enregistrer with If-Match). Requests/s, enregistrer/s within
  the journeys, p50/p99 per step;
- enregistrer alone: drafts filled beforehand (untimed), then `--concurrency` concurrent
  enregistrer: saves/s;
- a steady phase: drafts filled beforehand, then enregistrer sent at `--rate` per second for
  `--seconds`, open loop (latency counted from the instant each was due): p50/p99.

Figures only, no assertion: these machines are noisy, so compare ratios within one run. With
`--runs N` the whole set is measured N times and the medians printed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import aiohttp
import asyncpg
import uvloop

from benchmarks.registration_bench import (
    HELLO_PATH,
    HOST,
    delete_bus,
    free_port,
    process,
    wait_ready,
)
from benchmarks.registration_bench import SCRIPT as HELLO_SCRIPT
from registration.adapters import identites_sql
from registration.seed.__main__ import seed
from shared.auth import Role
from shared.db import create_pool
from shared.testing.factories import identite_json, random_email
from shared.testing.plugin import create_database, drop_database
from shared.testing.tokens import TestKeys

DRAFT = {"examen": "BTS", "session": 2027, "academie": "001"}
INFORMATIONS = {
    "categorie": "FC",
    "etablissement": "INDIV-001",
    "handicap": False,
    "amenagement": False,
    "consentement_presse": True,
    "consentement_organismes_prives": False,
    "consentement_collectivites": True,
}
# The bodies of tests/registration/integration/test_candidatures.py (the guide's BANQUE).
TABS: dict[str, dict[str, Any]] = {
    "identification": {},
    "informations-candidature": INFORMATIONS,
    "qualification": {"specialite": "BANQUE", "forme": "globale"},
    "acquis": {"acquis": []},
    "diplome": {"diplome": "BAC-GEN"},
    "epreuves": {"options": {"E2": "Anglais", "EF1": "Allemand"}, "facultatives": ["EF1", "EF3"]},
}
MODIFIED = {**INFORMATIONS, "consentement_presse": False}
MODIFY_SHARE = 0.2
STEPS = [
    "open draft",
    *(f"tab {name}" for name in TABS),
    "récapitulatif",
    "enregistrer",
    "modify: tab",
    "modify: enregistrer",
]
# Issue 11's aim.
TARGET_SAVES = 100.0
TARGET_P99_MS = 100.0
PG_CONCURRENCY = 16


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


@dataclass
class Phase:
    name: str
    elapsed: float = 0.0
    count: int = 0
    errors: int = 0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    @property
    def rate(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0


class Candidate:
    def __init__(self, keys: TestKeys) -> None:
        self.account_id = uuid.uuid4()
        claims = keys.claims(Role.CANDIDAT, self.account_id, lifetime=timedelta(hours=1))
        token = keys.sign(claims)
        self.headers = {"Authorization": f"Bearer {token}"}
        self.id = ""


class Client:
    """The HTTP side: one session, every request timed into a `Phase` by step."""

    def __init__(self, base: str, session: aiohttp.ClientSession) -> None:
        self.base = base
        self.session = session
        self.failures: list[str] = []

    async def call(
        self,
        phase: Phase | None,
        step: str,
        candidate: Candidate,
        method: str,
        path: str,
        expect: int,
        began: float | None = None,
        **kwargs: Any,
    ) -> Any:
        headers = {**candidate.headers, **kwargs.pop("headers", {})}
        began = time.perf_counter() if began is None else began
        async with self.session.request(
            method, self.base + path, headers=headers, **kwargs
        ) as response:
            body = await response.read()
            ok = response.status == expect
        if phase is not None:
            phase.latencies[step].append(time.perf_counter() - began)
            phase.count += 1
            phase.errors += not ok
        if not ok:
            if len(self.failures) < 5:
                self.failures.append(f"{step}: {response.status} {body[:300]!r}")
            return None
        return json.loads(body)

    async def fill(self, phase: Phase | None, candidate: Candidate) -> bool:
        """Open a draft and fill its six tabs."""
        created = await self.call(
            phase, "open draft", candidate, "POST", "/api/v1/candidatures", 201, json=DRAFT
        )
        if created is None:
            return False
        candidate.id = created["id"]
        for name, body in TABS.items():
            path = f"/api/v1/candidatures/{candidate.id}/onglets/{name}"
            await self.call(phase, f"tab {name}", candidate, "PUT", path, 200, json=body)
        return True

    async def enregistrer(
        self,
        phase: Phase | None,
        candidate: Candidate,
        step: str = "enregistrer",
        began: float | None = None,
        if_match: str | None = None,
    ) -> Any:
        path = f"/api/v1/candidatures/{candidate.id}/enregistrer"
        headers = {} if if_match is None else {"If-Match": if_match}
        return await self.call(
            phase, step, candidate, "POST", path, 201, began=began, headers=headers
        )

    async def journey(self, phase: Phase, candidate: Candidate, modify: bool) -> None:
        if not await self.fill(phase, candidate):
            return
        path = f"/api/v1/candidatures/{candidate.id}/onglets/recapitulatif"
        await self.call(phase, "récapitulatif", candidate, "GET", path, 200)
        saved = await self.enregistrer(phase, candidate)
        if saved is None or not modify:
            return
        path = f"/api/v1/candidatures/{candidate.id}/onglets/informations-candidature"
        await self.call(phase, "modify: tab", candidate, "PUT", path, 200, json=MODIFIED)
        version = f'"{saved["version"]}"'
        await self.enregistrer(phase, candidate, "modify: enregistrer", if_match=version)


# --- the candidates' identities, as the accounts events would have projected them -------------


async def project(pool: asyncpg.Pool, keys: TestKeys, count: int) -> list[Candidate]:
    candidates = [Candidate(keys) for _ in range(count)]
    at = datetime(2026, 9, 1, tzinfo=UTC)
    async with pool.acquire() as conn:
        for candidate in candidates:
            await identites_sql.set_identite(conn, candidate.account_id, identite_json(), at)
            await identites_sql.set_email(conn, candidate.account_id, random_email(), at)
            await identites_sql.set_activated(conn, candidate.account_id, at)
    return candidates


async def open_window(pool: asyncpg.Pool) -> None:
    """The seed's windows are dated: add one of BTS 2027 in académie 001 open now."""
    now = datetime.now(UTC)
    async with pool.acquire() as conn:
        await conn.execute(
            """INSERT INTO fenetres (examen_code, session_annee, academie_code, ouverture,
                                     fermeture)
               SELECT $1, $2, $3, $4, $5
               WHERE NOT EXISTS (SELECT FROM fenetres WHERE examen_code = $1
                                   AND session_annee = $2 AND academie_code = $3
                                   AND ouverture <= $6 AND $6 < fermeture)""",
            DRAFT["examen"],
            DRAFT["session"],
            DRAFT["academie"],
            now - timedelta(hours=1),
            now + timedelta(days=1),
            now,
        )


async def bind_sink(amqp_url: str, exchange: str, queue: str) -> None:
    """A queue for every event of the scratch exchange, as the consumers would be: without
    one, the relay's publications come back unroutable (logged and tried again)."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_exchange(
            exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        sink = await channel.declare_queue(queue, durable=False)
        await sink.bind(declared, "#")


# --- the phases ----------------------------------------------------------------------------


async def hello_phase(base: str, requests: int, concurrency: int) -> Phase:
    phase = Phase("hello-world (bare aiohttp)")
    remaining = requests
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                began = time.perf_counter()
                async with session.get(base + HELLO_PATH) as response:
                    await response.read()
                    phase.errors += response.status != 200
                phase.latencies["GET /hello"].append(time.perf_counter() - began)
                phase.count += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        phase.elapsed = time.perf_counter() - began
    return phase


async def asyncpg_phase(dsn: str, seconds: float) -> Phase:
    """BEGIN; INSERT a row; COMMIT from 16 connections: PostgreSQL's commit ceiling here."""
    phase = Phase(f"bare asyncpg BEGIN/INSERT/COMMIT x{PG_CONCURRENCY}")
    pool = await asyncpg.create_pool(dsn, min_size=PG_CONCURRENCY, max_size=PG_CONCURRENCY)
    try:
        async with pool.acquire() as conn:
            await conn.execute(
                """CREATE TABLE IF NOT EXISTS bench_rows (
                       id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                       payload jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now())"""
            )
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            async with pool.acquire() as conn:
                while time.perf_counter() < deadline:
                    began = time.perf_counter()
                    async with conn.transaction():
                        await conn.execute(
                            "INSERT INTO bench_rows (payload) VALUES ($1::jsonb)", '{"a": 1}'
                        )
                    phase.latencies["transaction"].append(time.perf_counter() - began)
                    phase.count += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(PG_CONCURRENCY)))
        phase.elapsed = time.perf_counter() - began
    finally:
        await pool.close()
    return phase


async def bounded(concurrency: int, jobs: list[Any]) -> None:
    """Run the coroutines `jobs` with at most `concurrency` at a time, in order."""
    queue = iter(jobs)

    async def worker() -> None:
        for job in queue:
            await job

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def journeys_phase(client: Client, candidates: list[Candidate], concurrency: int) -> Phase:
    phase = Phase(f"journeys, {len(candidates)} candidates, {concurrency} concurrent")
    rng = random.Random(11)
    modify = [rng.random() < MODIFY_SHARE for _ in candidates]
    began = time.perf_counter()
    jobs = [client.journey(phase, c, m) for c, m in zip(candidates, modify, strict=True)]
    await bounded(concurrency, jobs)
    phase.elapsed = time.perf_counter() - began
    return phase


async def saves_phase(client: Client, candidates: list[Candidate], concurrency: int) -> Phase:
    await bounded(concurrency, [client.fill(None, c) for c in candidates])
    phase = Phase(f"enregistrer alone, {concurrency} concurrent")
    began = time.perf_counter()
    await bounded(concurrency, [client.enregistrer(phase, c) for c in candidates if c.id])
    phase.elapsed = time.perf_counter() - began
    return phase


async def steady_phase(
    client: Client, candidates: list[Candidate], rate: float, concurrency: int
) -> Phase:
    await bounded(concurrency, [client.fill(None, c) for c in candidates])
    phase = Phase(f"steady enregistrer at {rate:.0f}/s, open loop")
    start = time.perf_counter() + 0.2

    async def one(index: int, candidate: Candidate) -> None:
        due = start + index / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        await client.enregistrer(phase, candidate, began=due)

    await asyncio.gather(*(one(i, c) for i, c in enumerate(c for c in candidates if c.id)))
    phase.elapsed = time.perf_counter() - start
    return phase


# --- the report ----------------------------------------------------------------------------


@dataclass
class Run:
    hello: Phase
    pg: Phase
    journeys: Phase
    saves: Phase
    steady: Phase

    @property
    def journey_saves(self) -> float:
        saved = len(self.journeys.latencies["enregistrer"])
        saved += len(self.journeys.latencies["modify: enregistrer"])
        return saved / self.journeys.elapsed


def report(run: Run, title: str) -> None:
    print(f"\n{title} (client and servers on {HOST})")
    print(f"{'phase':52} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for phase in (run.hello, run.pg):
        values = [v for found in phase.latencies.values() for v in found]
        print(
            f"{phase.name:52} {phase.rate:8.0f} {percentile(values, 0.5):8.2f} "
            f"{percentile(values, 0.99):8.2f} {phase.errors:6d}"
        )
    journeys = run.journeys
    print(
        f"{journeys.name:52} {journeys.rate:8.0f} {'':>8} {'':>8} {journeys.errors:6d}"
        f"  requests/s, {run.journey_saves:.0f} enregistrer/s"
        f" ({journeys.rate / run.hello.rate:.2f}x hello)"
    )
    for step in STEPS:
        found = journeys.latencies.get(step, [])
        print(
            f"  {step:50} {len(found):8d} {percentile(found, 0.5):8.2f} "
            f"{percentile(found, 0.99):8.2f}"
        )
    for phase in (run.saves, run.steady):
        values = phase.latencies["enregistrer"]
        print(
            f"{phase.name:52} {phase.rate:8.0f} {percentile(values, 0.5):8.2f} "
            f"{percentile(values, 0.99):8.2f} {phase.errors:6d}"
        )


def summary(runs: list[Run]) -> None:
    def median(values: list[float]) -> float:
        return statistics.median(values)

    saves = median([r.saves.rate for r in runs])
    steady_p99 = median([percentile(r.steady.latencies["enregistrer"], 0.99) for r in runs])
    print(f"\nmedian of {len(runs)} run(s)")
    print(f"  hello-world req/s          {median([r.hello.rate for r in runs]):8.0f}")
    print(f"  bare asyncpg commits/s     {median([r.pg.rate for r in runs]):8.0f}")
    print(f"  journeys requests/s        {median([r.journeys.rate for r in runs]):8.0f}")
    print(f"  journeys enregistrer/s     {median([r.journey_saves for r in runs]):8.0f}")
    print(
        f"  enregistrer alone /s       {saves:8.0f}   "
        f"(aim >= {TARGET_SAVES:.0f}: {'ok' if saves >= TARGET_SAVES else 'BELOW'})"
    )
    print(
        f"  steady p99 ms              {steady_p99:8.1f}   "
        f"(aim < {TARGET_P99_MS:.0f}: {'ok' if steady_p99 < TARGET_P99_MS else 'ABOVE'})"
    )
    for step in STEPS:
        p50 = median([percentile(r.journeys.latencies.get(step, []), 0.5) for r in runs])
        p99 = median([percentile(r.journeys.latencies.get(step, []), 0.99) for r in runs])
        print(f"  {step:26} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms")


# --- the run ---------------------------------------------------------------------------------


async def main(arguments: argparse.Namespace) -> None:
    tag = uuid.uuid4().hex[:10]
    exchange, prefix = f"bench-events.{tag}", f"bench.{tag}"
    dsn = await create_database(arguments.postgres)
    try:
        await seed(dsn, "registration")
        await run_servers(arguments, dsn, exchange, prefix)
    finally:
        await drop_database(arguments.postgres, dsn)
        queue = f"{prefix}.identites"
        retries = [f"{queue}.retry.{ms}" for ms in (1000, 5000, 30000, 120000, 600000)]
        queues = [queue, f"{queue}.dead", *retries, f"{prefix}.sink"]
        await delete_bus(arguments.amqp, exchange, queues)


async def run_servers(arguments: argparse.Namespace, dsn: str, exchange: str, prefix: str) -> None:
    keys = TestKeys()
    service_port, hello_port = free_port(), free_port()
    env = {
        "REGISTRATION_DATABASE_URL": dsn,
        "REGISTRATION_HTTP_HOST": HOST,
        "REGISTRATION_HTTP_PORT": str(service_port),
        "REGISTRATION_AMQP_URL": arguments.amqp,
        "REGISTRATION_EVENTS_EXCHANGE": exchange,
        "REGISTRATION_QUEUE_PREFIX": prefix,
        "REGISTRATION_LOG_LEVEL": "WARNING",
        "REGISTRATION_JWT_JWKS": json.dumps(keys.jwks),
    }
    service = [sys.executable, "-m", "registration"]
    # The same hello-world process as registration_bench.py's.
    hello_world = [sys.executable, HELLO_SCRIPT, "--serve-hello", str(hello_port)]
    pool = await create_pool(dsn, min_size=1, max_size=2)
    try:
        await open_window(pool)
        with process(service, env) as started, process(hello_world, {}):
            print(f"service pid {started.pid} (for a profiler)", flush=True)
            base_service, base_hello = (
                f"http://{HOST}:{service_port}",
                f"http://{HOST}:{hello_port}",
            )
            await wait_ready(base_service)
            await wait_ready(base_hello)
            await bind_sink(arguments.amqp, exchange, f"{prefix}.sink")
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(connector=connector) as session:
                client = Client(base_service, session)
                # Warm-up: connections, the pool, the caches.
                warm = await project(pool, keys, arguments.concurrency)
                await journeys_phase(client, warm, arguments.concurrency)
                await hello_phase(base_hello, 1000, arguments.concurrency)
                runs = []
                for number in range(arguments.runs):
                    run = await one_run(arguments, client, pool, keys, base_hello, dsn)
                    report(run, f"run {number + 1} of {arguments.runs}")
                    runs.append(run)
                if client.failures:
                    print("\nfirst failures:", *client.failures, sep="\n  ")
                summary(runs)
    finally:
        await pool.close()


async def one_run(
    arguments: argparse.Namespace,
    client: Client,
    pool: asyncpg.Pool,
    keys: TestKeys,
    base_hello: str,
    dsn: str,
) -> Run:
    concurrency = arguments.concurrency
    hello = await hello_phase(base_hello, arguments.hello_requests, concurrency)
    pg = await asyncpg_phase(dsn, arguments.pg_seconds)
    journeys = await journeys_phase(
        client, await project(pool, keys, arguments.candidates), concurrency
    )
    saves = await saves_phase(client, await project(pool, keys, arguments.saves), concurrency)
    steady_count = int(arguments.rate * arguments.seconds)
    steady = await steady_phase(
        client, await project(pool, keys, steady_count), arguments.rate, concurrency
    )
    return Run(hello, pg, journeys, saves, steady)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--candidates", type=int, default=256, help="journeys per run")
    parser.add_argument("--saves", type=int, default=256, help="drafts saved in the burst")
    parser.add_argument("--concurrency", type=int, default=64, help="concurrent candidates")
    parser.add_argument("--rate", type=float, default=50.0, help="steady enregistrer/s")
    parser.add_argument("--seconds", type=float, default=10.0, help="steady phase length")
    parser.add_argument("--hello-requests", type=int, default=5000)
    parser.add_argument("--pg-seconds", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=1, help="at most 10")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--amqp", default=os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    )
    arguments = parser.parse_args()
    arguments.candidates = min(max(arguments.candidates, 1), 5000)
    arguments.saves = min(max(arguments.saves, 1), 5000)
    arguments.concurrency = min(max(arguments.concurrency, 1), 256)
    arguments.rate = min(max(arguments.rate, 1.0), 500.0)
    arguments.seconds = min(max(arguments.seconds, 1.0), 60.0)
    arguments.runs = min(max(arguments.runs, 1), 10)
    return arguments


if __name__ == "__main__":
    uvloop.run(main(parse_arguments()))
