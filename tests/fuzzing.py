"""Schemathesis' command line against services started in-process: the bounded pytest run
(tests/test_fuzz.py) and the long one (`make fuzz`, `python -m tests.fuzzing`) share it."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import aio_pika
import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from minio import Minio

from shared.auth import Role
from shared.http.keys import CONSUMERS, POOL, SETTINGS
from shared.testing import infrastructure
from shared.testing.clamd import running_clamd
from shared.testing.infrastructure import S3Endpoint
from shared.testing.plugin import create_database, drop_database
from shared.testing.tokens import TestKeys

SERVICES = ["accounts", "registration", "notifications", "documents", "uploads"]
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
# The read-only switch is an operator's: once the fuzzer turns it on, every write answers 503
# `read-only` with Retry-After, as it should (tests/registration cover the switch itself).
NOT_FUZZED = ("/api/v1/admin/read-only",)


# Cheap password hashes (as the accounts tests use): the fuzzer logs in and registers a lot.
OVERRIDES: dict[str, dict[str, Any]] = {
    "accounts": {"argon2_memory_kib": 1024, "argon2_time_cost": 1, "answer_floor_ms": 5},
}
ACADEMIE = "BES"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def identities(
    service: str, app: web.Application, base_url: str, keys: TestKeys
) -> dict[str, dict[str, str]]:
    """Anonymous, an administrateur, a gestionnaire and (but on accounts) a candidat: signed by
    the test keys, or for accounts (which checks its sessions) staff accounts created and
    logged in."""
    if service == "accounts":
        return {
            "anonymous": {},
            "administrateur": await accounts_staff(app, base_url, "administrateur"),
            "gestionnaire": await accounts_staff(app, base_url, "gestionnaire"),
        }
    return {
        "anonymous": {},
        "administrateur": bearer(keys.token(Role.ADMINISTRATEUR)),
        "gestionnaire": bearer(keys.token(Role.GESTIONNAIRE, academies=[ACADEMIE])),
        "candidat": bearer(keys.token(Role.CANDIDAT)),
    }


async def accounts_staff(app: web.Application, base_url: str, role: str) -> dict[str, str]:
    from accounts.deps import DEPS
    from accounts.entrypoints.schemas import NewStaff
    from accounts.handlers.staff import create_staff

    email, password = f"fuzz-{role}-{uuid.uuid4().hex[:8]}@example.org", "Vx9#kTqe-fuzz"
    command = NewStaff(
        email=email, password=password, role=role, display_name="Fuzz", academies=[ACADEMIE]
    )
    deps = app[DEPS]
    password_hash = await deps.hasher.hash(password)
    async with app[POOL].acquire() as conn, conn.transaction():
        await create_staff(conn, command, deps, password_hash)
    async with aiohttp.ClientSession() as session:
        credentials = {"email": email, "password": password}
        async with session.post(f"{base_url}/api/v1/auth/login", json=credentials) as response:
            response.raise_for_status()
            return bearer((await response.json())["access_token"])


async def prepare(service: str, settings: dict[str, Any]) -> None:
    """Data the service's routes are about: registration's référentiel seed."""
    if service == "registration":
        from registration.seed.__main__ import seed

        await seed(settings["database_url"], "registration")


@contextmanager
def dependencies(service: str, s3: S3Endpoint) -> Iterator[dict[str, Any]]:
    """The settings of what a service needs to answer anything but 503: a bucket of its own on
    the tests' S3 server (documents, uploads) and a clamd (uploads). A fuzzer that only ever
    meets an outage tests nothing behind it."""
    settings: dict[str, Any] = {}
    if service in ("documents", "uploads"):
        bucket = f"fuzz-{service}-{uuid.uuid4().hex[:8]}"
        Minio(
            s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=False
        ).make_bucket(bucket)
        settings |= {
            "s3_endpoint": s3.endpoint,
            "s3_access_key": s3.access_key,
            "s3_secret_key": s3.secret_key,
            "s3_bucket": bucket,
        }
    with ExitStack() as stack:
        if service == "uploads":
            settings["clamd_address"] = stack.enter_context(running_clamd())
        yield settings


def build(service: str, settings: dict[str, Any]) -> web.Application:
    app_module = importlib.import_module(f"{service}.app")
    settings_module = importlib.import_module(f"{service}.settings")
    options = {**settings, **OVERRIDES.get(service, {})}
    app: web.Application = app_module.build_app(settings_module.Settings(**options))
    return app


def command(
    base_url: str,
    headers: dict[str, str],
    examples: int,
    report: Path,
    phases: str,
    max_time: int | None,
) -> list[str]:
    arguments = [
        str(SCHEMATHESIS),
        "run",
        f"{base_url}/openapi.json",
        f"--checks={CHECKS}",
        f"--max-examples={examples}",
        f"--phases={phases}",
        # The bounded run is deterministic; the long one is seeded (reproducible, more varied).
        "--generation-deterministic" if max_time is None else "--seed=1",
        # The identity's own Authorization header, not made-up tokens.
        "--generation-with-security-parameters=false",
        "--suppress-health-check=all",
        "--workers=1",
        "--no-color",
        "--report=json",
        f"--report-json-path={report}",
    ]
    if max_time is not None:
        arguments.append(f"--max-time={max_time}")
    arguments += [f"--exclude-path={path}" for path in NOT_FUZZED]
    for name, value in headers.items():
        arguments.append(f"--header={name}: {value}")
    return arguments


def hooks_environment() -> dict[str, str]:
    """Schemathesis loads `tests/fuzz_hooks.py` (bodies of media types such as a PDF)."""
    root = str(Path(__file__).resolve().parent.parent)
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz_hooks", "PYTHONPATH": path}


async def run_schemathesis(
    base_url: str,
    headers: dict[str, str],
    examples: int,
    phases: str,
    max_time: int | None = None,
) -> tuple[int, str, dict[str, Any]]:
    """The exit code, what it printed, and its JSON report. With `max_time` (the long run),
    seeded rather than deterministic, and bounded in time rather than examples."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        process = await asyncio.create_subprocess_exec(
            *command(base_url, headers, examples, report, phases, max_time),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=hooks_environment(),
        )
        output, _ = await process.communicate()
        document = json.loads(report.read_text()) if report.exists() else {}
    return process.returncode or 0, output.decode(errors="replace"), document


def settings_for(dsn: str, amqp_url: str, keys: TestKeys) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:12]
    return {
        "environment": "test",
        "database_url": dsn,
        "amqp_url": amqp_url,
        "events_exchange": f"fuzz-events.{tag}",
        "queue_prefix": f"fuzz.{tag}",
        "jwt_jwks": json.dumps(keys.jwks),
        "jwt_audience": keys.audience,
        "jwt_issuer": keys.issuer,
    }


async def long_run(
    examples: int, phases: str, max_time: int, services: list[str] = SERVICES
) -> int:
    """Each service on a database of its own, every identity, many examples."""
    keys = TestKeys()
    failed = 0
    with (
        infrastructure.postgres_dsn() as server_dsn,
        infrastructure.amqp_url() as amqp_url,
        infrastructure.s3_endpoint() as s3,
    ):
        for service in services:
            dsn = await create_database(server_dsn)
            try:
                with dependencies(service, s3) as needed:
                    failed += await fuzz_one(service, settings_for(dsn, amqp_url, keys) | needed,
                                             keys, examples, phases, max_time)  # fmt: skip
            finally:
                await drop_database(server_dsn, dsn)
    return 1 if failed else 0


async def fuzz_one(
    service: str,
    settings: dict[str, Any],
    keys: TestKeys,
    examples: int,
    phases: str,
    max_time: int,
) -> int:
    """One service started, fuzzed as every identity: how many identities found failures."""
    await prepare(service, settings)
    app = build(service, settings)
    failed = 0
    async with TestServer(app) as server:
        base_url = str(server.make_url("")).rstrip("/")
        for identity, headers in (await identities(service, app, base_url, keys)).items():
            code, output, _ = await run_schemathesis(
                base_url, headers, examples, phases, max_time=max_time
            )
            print(f"==== {service} as {identity}: exit {code}\n{output}", flush=True)
            failed += code != 0
    await delete_queues(settings["amqp_url"], app)
    return failed


async def delete_queues(amqp_url: str, app: web.Application) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for consumer in app.get(CONSUMERS, []):
            for queue in consumer.queue_names():
                await channel.queue_delete(queue)
        await channel.exchange_delete(app[SETTINGS].events_exchange)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument("--max-time", type=int, default=60, help="seconds per service and identity")
    parser.add_argument("--services", default=",".join(SERVICES), help="comma-separated")
    arguments = parser.parse_args()
    services = arguments.services.split(",")
    return asyncio.run(long_run(arguments.examples, arguments.phases, arguments.max_time, services))


if __name__ == "__main__":
    sys.exit(main())
