"""Benchmark of the accounts service: creations and logins per second with the production
Argon2id parameters, p50/p99 latencies, the same figure for a bare argon2-cffi loop in the same
run, and the login timing gap between an unknown email and a known one with a wrong password.

    .venv/bin/python benchmarks/accounts_bench.py [--accounts 200] [--logins 400] [--probes 300]

It needs PostgreSQL and RabbitMQ (TEST_POSTGRES_DSN / TEST_AMQP_URL, or the local defaults),
creates a throwaway database, exchange and queues, runs the service as a child process (uvloop,
as in production) and removes everything afterwards. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import aio_pika
import aiohttp
import argon2
import asyncpg

from accounts.settings import Settings
from shared.events import Envelope
from shared.testing.factories import identite_json
from shared.testing.infrastructure import free_port
from shared.testing.plugin import with_database

PASSWORD = "Vx9#kTqe"
ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(name: str, latencies: list[float], elapsed: float) -> str:
    p50, p99 = (percentile(latencies, share) * 1000 for share in (0.5, 0.99))
    rate = len(latencies) / elapsed
    return (
        f"{name:<28} {rate:8.1f}/s   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   (n={len(latencies)})"
    )


async def run_concurrently(
    work: list[Callable[[], Awaitable[None]]], concurrency: int
) -> tuple[list[float], float]:
    """Latencies of each call, and the wall time of all, at most `concurrency` at once."""
    slots = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def timed(call: Callable[[], Awaitable[None]]) -> None:
        async with slots:
            started = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(timed(call) for call in work))
    return latencies, time.perf_counter() - started


def a_client() -> dict[str, str]:
    """A different client address per request, so the per-client throttle stays out of it."""
    return {"X-Forwarded-For": f"10.{random.randrange(256)}.{random.randrange(256)}.1"}


async def expect(response: aiohttp.ClientResponse, status: int) -> None:
    if response.status != status:
        raise RuntimeError(f"{response.status} instead of {status}: {await response.text()}")


class Bench:
    def __init__(self, base: str, session: aiohttp.ClientSession) -> None:
        self.base = base
        self.session = session

    def create(self, email: str) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            body = {"email": email, "password": PASSWORD, "identite": identite_json()}
            async with self.session.post(f"{self.base}/api/v1/accounts", json=body) as response:
                await expect(response, 202)

        return call

    def login(self, email: str, password: str, status: int) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            body = {"email": email, "password": password}
            async with self.session.post(
                f"{self.base}/api/v1/auth/login", json=body, headers=a_client()
            ) as response:
                await expect(response, status)

        return call

    async def create_probe(self, email: str) -> None:
        await self.create(email)()

    async def wrong_login(self, email: str) -> None:
        await self.login(email, "Wrong#Pass1", 401)()

    async def reset(self, email: str) -> None:
        url = f"{self.base}/api/v1/auth/password-reset"
        async with self.session.post(url, json={"email": email}) as response:
            await expect(response, 202)

    async def activate_all(self, dsn: str) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            rows = await conn.fetch(
                "SELECT body FROM outbox WHERE event_type = 'AccountRegistered'"
            )
        finally:
            await conn.close()
        for row in rows:
            token = Envelope.model_validate_json(row["body"]).payload["activation_token"]
            url = f"{self.base}/api/v1/accounts/activate"
            async with self.session.post(url, json={"token": token}) as response:
                await expect(response, 200)


async def enumeration_gap(
    name: str, request: Callable[[str], Awaitable[None]], known: list[str], probes: int
) -> str:
    """One request at a time, unknown and known emails interleaved, each email tried once."""
    timings: dict[str, list[float]] = {"unknown": [], "known": []}
    for index in range(probes):
        kind = "known" if index % 2 else "unknown"
        email = known[index // 2 % len(known)] if kind == "known" else f"x{uuid.uuid4().hex}@e.org"
        started = time.perf_counter()
        await request(email)
        timings[kind].append(time.perf_counter() - started)
    medians = {kind: statistics.median(values) * 1000 for kind, values in timings.items()}
    means = {kind: statistics.fmean(values) * 1000 for kind, values in timings.items()}
    return (
        f"enumeration gap, {name} (known - unknown email), {probes} tries: "
        f"median {medians['known'] - medians['unknown']:+.2f} ms "
        f"(known {medians['known']:.1f} ms, unknown {medians['unknown']:.1f} ms), "
        f"mean {means['known'] - means['unknown']:+.2f} ms"
    )


def bare_argon2(settings: Settings, count: int, threads: int, operation: str) -> str:
    hasher = argon2.PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
        type=argon2.Type.ID,
    )
    stored = hasher.hash(PASSWORD)
    latencies: list[float] = []

    def one(_: int) -> None:
        started = time.perf_counter()
        if operation == "hash":
            hasher.hash(PASSWORD)
        else:
            hasher.verify(stored, PASSWORD)
        latencies.append(time.perf_counter() - started)

    started, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(count)))
    cpu_each = (time.process_time() - cpu) / count * 1000
    name = f"bare argon2 {operation}, {threads} thread(s)"
    line = summary(name, latencies, time.perf_counter() - started)
    return f"{line}   {cpu_each:.1f} ms CPU each"


@dataclass(frozen=True)
class Child:
    base: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU of the service process so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def service_process(env: dict[str, str], port: int) -> Iterator[Child]:
    child = subprocess.Popen(
        [sys.executable, "-m", "accounts"], env={**os.environ, **env}, cwd=ROOT
    )
    try:
        yield Child(f"http://127.0.0.1:{port}", child.pid)
    finally:
        child.terminate()
        child.wait(timeout=30)


async def wait_ready(base: str, session: aiohttp.ClientSession) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            async with session.get(f"{base}/health/ready") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("the service did not become ready")


def cpu_per_call(name: str, child: Child, before: float, calls: int) -> str:
    spent = (child.cpu_seconds() - before) / calls * 1000
    return f"{name:<34} {spent:6.1f} ms of service CPU each (hashing included)"


async def measure(child: Child, dsn: str, options: argparse.Namespace) -> list[str]:
    base = child.base
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=options.concurrency)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await wait_ready(base, session)
        bench = Bench(base, session)
        emails = [f"bench.{uuid.uuid4().hex[:12]}@example.org" for _ in range(options.accounts)]
        cpu = child.cpu_seconds()
        created = await run_concurrently([bench.create(e) for e in emails], options.concurrency)
        creation_cpu = cpu_per_call("account creation", child, cpu, len(emails))
        await bench.activate_all(dsn)
        logins = [
            bench.login(emails[i % len(emails)], PASSWORD, 200) for i in range(options.logins)
        ]
        cpu = child.cpu_seconds()
        logged = await run_concurrently(logins, options.concurrency)
        login_cpu = cpu_per_call("login", child, cpu, len(logins))
        login_gap = await enumeration_gap(
            "login with a wrong password", bench.wrong_login, emails, options.probes
        )
        reset_gap = await enumeration_gap(
            "password reset request", bench.reset, emails[::-1], options.probes
        )
        creation_gap = await enumeration_gap(
            "account creation", bench.create_probe, emails, options.probes
        )
    return [
        summary("account creations", *created),
        summary("logins", *logged),
        creation_cpu,
        login_cpu,
        login_gap,
        reset_gap,
        creation_gap,
    ]


async def with_database_and_bus(options: argparse.Namespace) -> list[str]:
    tag = uuid.uuid4().hex[:10]
    server = options.postgres
    dsn = with_database(server, f"accounts_bench_{tag}")
    admin = await asyncpg.connect(server)
    await admin.execute(f'CREATE DATABASE "accounts_bench_{tag}"')
    port = free_port()
    env = {
        "ACCOUNTS_DATABASE_URL": dsn,
        "ACCOUNTS_AMQP_URL": options.amqp,
        "ACCOUNTS_EVENTS_EXCHANGE": f"bench-events.{tag}",
        "ACCOUNTS_QUEUE_PREFIX": f"bench.{tag}",
        "ACCOUNTS_HTTP_PORT": str(port),
        "ACCOUNTS_HTTP_HOST": "127.0.0.1",
        "ACCOUNTS_LOG_LEVEL": "WARNING",
        "ACCOUNTS_TRUST_FORWARDED_FOR": "true",
    }
    try:
        await sink_queue(options.amqp, tag)
        with service_process(env, port) as child:
            return await measure(child, dsn, options)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "accounts_bench_{tag}" WITH (FORCE)')
        await admin.close()
        await remove_bus(options.amqp, tag)


async def sink_queue(amqp_url: str, tag: str) -> None:
    """Something bound to every event, as the other services are in production: the relay
    publishes with `mandatory`, and an unroutable event would be retried, not published."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            f"bench-events.{tag}", aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(f"bench.{tag}.sink", arguments={"x-max-length": 1})
        await queue.bind(exchange, "#")


async def remove_bus(amqp_url: str, tag: str) -> None:
    queue = f"bench.{tag}.identity-lock"
    delays = [max(1, round(d * 1000)) for d in Settings().consumer_retry_delays_s]
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        names = [queue, f"{queue}.dead", *(f"{queue}.retry.{ms}" for ms in delays)]
        for name in [*names, f"bench.{tag}.sink"]:
            await channel.queue_delete(name)
        await channel.exchange_delete(f"bench-events.{tag}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--logins", type=int, default=400)
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--amqp", default=os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    )
    options = parser.parse_args()
    settings = Settings()
    print(
        f"Argon2id m={settings.argon2_memory_kib} KiB t={settings.argon2_time_cost} "
        f"p={settings.argon2_parallelism}, at most {settings.argon2_concurrency} at once; "
        f"{os.cpu_count()} CPUs; client concurrency {options.concurrency}"
    )
    count = max(50, options.logins // 4)
    # The bare loop before and after the service: this machine is shared, and noisy.
    print(bare_argon2(settings, count, settings.argon2_concurrency, "verify"))
    for line in asyncio.run(with_database_and_bus(options)):
        print(line)
    for operation in ("hash", "verify"):
        for threads in sorted({1, settings.argon2_concurrency}):
            print(bare_argon2(settings, count, threads, operation))


if __name__ == "__main__":
    main()
