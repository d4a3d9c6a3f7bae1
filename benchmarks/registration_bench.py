"""Benchmark of the registration service's public reads, next to a bare aiohttp hello-world.

    .venv/bin/python benchmarks/registration_bench.py [--requests 5000] [--seconds 15] [--runs 3]

Starts, on 127.0.0.1 only, the service (on a scratch database loaded with the seed, and a
scratch exchange) and a bare aiohttp JSON hello-world, each as its own process run the same way
(uvloop, no access log). Then sends each a bounded number of requests (and for a bounded time)
from this process, and prints requests/s and latency percentiles with the ratio to the
hello-world measured in the same run, since these machines are noisy. With `--runs N` it
measures every endpoint N times (the hello-world first each time) and ends with the median of
each endpoint's figures and of its ratios, against the target of issue 11 (each of these reads
at least 0.5x the hello-world).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import aio_pika
import aiohttp
import uvloop
from aiohttp import web

from registration.seed.__main__ import seed
from shared.testing.plugin import create_database, drop_database
from shared.testing.tokens import TestKeys

HOST = "127.0.0.1"
SCRIPT = str(Path(__file__).resolve())
HELLO_PATH = "/hello"
TARGETS = [
    ("ouvertures BTS 2027 (34 rows)", "/api/v1/ouvertures?domaine=BTS&session=2027"),
    (
        "ouvertures BTS 2027 académie 001",
        "/api/v1/ouvertures?domaine=BTS&session=2027&academie=001",
    ),
    ("spécialité BANQUE with épreuves", "/api/v1/examens/BTS/sessions/2027/specialites/BANQUE"),
    ("établissements académie 001 EP", "/api/v1/etablissements?academie=001&categorie=EP"),
]
# Issue 11: each public read the candidate's wizard makes serves at least this ratio.
TARGET_RATIO = 0.5


# --- the bare hello-world, in its own process -------------------------------------------------


async def hello(request: web.Request) -> web.Response:
    return web.json_response({"hello": "world"})


def serve_hello(port: int) -> None:
    app = web.Application()
    app.router.add_get(HELLO_PATH, hello)
    app.router.add_get("/health/ready", hello)
    web.run_app(
        app, host=HOST, port=port, access_log=None, print=None, loop=uvloop.new_event_loop()
    )


# --- processes and scratch resources ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def process(command: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    started = subprocess.Popen(command, env={**os.environ, **env})
    try:
        yield started
    finally:
        started.terminate()
        try:
            started.wait(timeout=30)
        except subprocess.TimeoutExpired:
            started.kill()
            started.wait()


async def delete_bus(amqp_url: str, exchange: str, queues: list[str]) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for queue in queues:
            await channel.queue_delete(queue)
        await channel.exchange_delete(exchange)


async def wait_ready(base: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(base + "/health/ready") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"{base} did not become ready")


# --- the load generator ---------------------------------------------------------------------


@dataclass
class Result:
    name: str
    count: int
    errors: int
    elapsed: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.count / self.elapsed

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


async def load(name: str, url: str, requests: int, seconds: float, concurrency: int) -> Result:
    """`requests` GETs from `concurrency` workers, stopping early after `seconds`."""
    latencies: list[float] = []
    errors = 0
    remaining = requests
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                began = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - began)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return Result(name, len(latencies), errors, elapsed, latencies)


async def measure(
    base_service: str, base_hello: str, arguments: argparse.Namespace
) -> list[list[Result]]:
    """One list of results per run, the hello-world's first."""
    plan = [("hello-world (bare aiohttp)", base_hello + HELLO_PATH)]
    plan += [(name, base_service + path) for name, path in TARGETS]
    bounds = (arguments.requests, arguments.seconds, arguments.concurrency)
    for name, url in plan:  # warm-up: connections, caches, the pool
        await load(name, url, min(500, arguments.requests), 5.0, arguments.concurrency)
    runs = []
    for run in range(arguments.runs):
        results = [await load(name, url, *bounds) for name, url in plan]
        report(results, arguments, f"run {run + 1} of {arguments.runs}")
        runs.append(results)
    return runs


def report(results: list[Result], arguments: argparse.Namespace, title: str) -> None:
    base = results[0]
    print(
        f"\n{title}: {arguments.requests} requests max, {arguments.seconds:.0f} s max per "
        f"endpoint, {arguments.concurrency} concurrent, client and servers on {HOST}"
    )
    print(f"{'endpoint':36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'vs hello':>9}")
    for result in results:
        ratio = result.rate / base.rate
        print(
            f"{result.name:36} {result.rate:8.0f} {result.percentile(0.50):8.2f} "
            f"{result.percentile(0.99):8.2f} {result.errors:6d} {ratio:8.2f}x"
        )
    print(f"(mean latency of hello-world: {statistics.fmean(base.latencies) * 1000:.2f} ms)")


def summary(runs: list[list[Result]]) -> None:
    """Medians over the runs; each ratio is taken within its run, then their median."""
    print(f"\nmedian of {len(runs)} run(s); target: every read >= {TARGET_RATIO:.1f}x hello")
    print(f"{'endpoint':36} {'req/s':>8} {'p99 ms':>8} {'vs hello':>9} {'min':>6} {'':>6}")
    for index, name in enumerate(result.name for result in runs[0]):
        rates = [run[index].rate for run in runs]
        ratios = [run[index].rate / run[0].rate for run in runs]
        p99 = statistics.median(run[index].percentile(0.99) for run in runs)
        verdict = (
            "" if index == 0 else ("ok" if statistics.median(ratios) >= TARGET_RATIO else "BELOW")
        )
        print(
            f"{name:36} {statistics.median(rates):8.0f} {p99:8.2f} "
            f"{statistics.median(ratios):8.2f}x {min(ratios):5.2f}x {verdict:>6}"
        )


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
        await delete_bus(arguments.amqp, exchange, [queue, f"{queue}.dead", *retries])


async def run_servers(arguments: argparse.Namespace, dsn: str, exchange: str, prefix: str) -> None:
    service_port, hello_port = free_port(), free_port()
    env = {
        "REGISTRATION_DATABASE_URL": dsn,
        "REGISTRATION_HTTP_HOST": HOST,
        "REGISTRATION_HTTP_PORT": str(service_port),
        "REGISTRATION_AMQP_URL": arguments.amqp,
        "REGISTRATION_EVENTS_EXCHANGE": exchange,
        "REGISTRATION_QUEUE_PREFIX": prefix,
        "REGISTRATION_LOG_LEVEL": "WARNING",
        "REGISTRATION_JWT_JWKS": json.dumps(TestKeys().jwks),  # public reads need no token
    }
    service = [sys.executable, "-m", "registration"]
    hello_world = [sys.executable, SCRIPT, "--serve-hello", str(hello_port)]
    with process(service, env), process(hello_world, {}):
        base_service, base_hello = f"http://{HOST}:{service_port}", f"http://{HOST}:{hello_port}"
        await wait_ready(base_service)
        await wait_ready(base_hello)
        runs = await measure(base_service, base_hello, arguments)
        if len(runs) > 1:
            summary(runs)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=5000, help="per endpoint, at most 50000")
    parser.add_argument("--seconds", type=float, default=15.0, help="per endpoint, at most 60")
    parser.add_argument("--concurrency", type=int, default=32, help="at most 256")
    parser.add_argument(
        "--runs", type=int, default=1, help="measure every endpoint this many times (at most 10)"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--amqp", default=os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    )
    parser.add_argument("--serve-hello", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    arguments.requests = min(max(arguments.requests, 1), 50_000)
    arguments.seconds = min(max(arguments.seconds, 1.0), 60.0)
    arguments.concurrency = min(max(arguments.concurrency, 1), 256)
    arguments.runs = min(max(arguments.runs, 1), 10)
    return arguments


if __name__ == "__main__":
    options = parse_arguments()
    if options.serve_hello:
        serve_hello(options.serve_hello)
    else:
        uvloop.run(main(options))
