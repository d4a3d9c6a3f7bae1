"""The whole platform as real processes (deploy/run_local.py), driven only through HTTP, the
bus and the SMTP server, as a candidate and a gestionnaire would.

The platform gets its own RabbitMQ vhost and databases, deleted afterwards, so it needs to
administer the local broker: it runs where TEST_RABBITMQCTL is set (CI sets it).
"""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
import pytest
import pytest_asyncio

from shared.testing.smtp import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
RABBITMQCTL = os.environ.get("TEST_RABBITMQCTL")
PORT_OFFSET = 1000


@dataclass(frozen=True)
class Platform:
    tag: str
    amqp_url: str
    postgres_dsn: str
    smtp: SmtpSink
    services: tuple[str, ...]

    def url(self, service: str) -> str:
        ports = {
            "accounts": 8081,
            "registration": 8082,
            "documents": 8083,
            "uploads": 8084,
            "notifications": 8085,
        }
        return f"http://127.0.0.1:{ports[service] + PORT_OFFSET}"

    def database(self, service: str) -> str:
        return urlunsplit(urlsplit(self.postgres_dsn)._replace(path=f"/e2e_{self.tag}_{service}"))


async def rabbitmqctl(*arguments: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *shlex.split(RABBITMQCTL or ""),
        *arguments,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, error = await process.communicate()
    assert process.returncode == 0, error.decode()


@pytest.fixture(scope="session")
def e2e_smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


def existing_services() -> tuple[str, ...]:
    import importlib.util

    names = ("accounts", "registration", "documents", "uploads", "notifications")
    return tuple(n for n in names if importlib.util.find_spec(f"{n}.__main__") is not None)


# Per module: the fault tests restart the shared servers later in the session, and a platform
# left running would live through them for nothing.
@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def platform(
    postgres_server_dsn: str, amqp_server_url: str, e2e_smtp: SmtpSink
) -> AsyncIterator[Platform]:
    if not RABBITMQCTL:
        pytest.skip("TEST_RABBITMQCTL is not set: the platform needs a vhost of its own")
    tag = uuid.uuid4().hex[:8]
    vhost = f"e2e-{tag}"
    services = existing_services()
    if not services:
        pytest.skip("no service to run yet")
    await rabbitmqctl("add_vhost", vhost)
    await rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    amqp = amqp_server_url.rstrip("/") + "/" + quote(vhost, safe="")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "deploy" / "run_local.py"),
        "--services",
        ",".join(services),
        "--postgres",
        postgres_server_dsn,
        "--amqp",
        amqp,
        "--smtp",
        f"{e2e_smtp.host}:{e2e_smtp.port}",
        "--db-prefix",
        f"e2e_{tag}_",
        "--port-offset",
        str(PORT_OFFSET),
        stdout=asyncio.subprocess.PIPE,
    )
    platform = Platform(tag, amqp, postgres_server_dsn, e2e_smtp, services)
    try:
        await _wait_for_line(process, "all services ready", timeout=120)
        yield platform
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 60)
        await rabbitmqctl("delete_vhost", vhost)
        await _drop_databases(platform)
    assert process.returncode == 0, "the runner did not stop cleanly"


async def _wait_for_line(process: asyncio.subprocess.Process, line: str, timeout: float) -> None:
    assert process.stdout is not None
    async with asyncio.timeout(timeout):
        while True:
            output = await process.stdout.readline()
            if not output:
                raise RuntimeError("the runner stopped; see .local/*.log")
            if line in output.decode():
                return


async def _drop_databases(platform: Platform) -> None:
    conn = await asyncpg.connect(platform.postgres_dsn)
    try:
        for service in platform.services:
            name = f"e2e_{platform.tag}_{service}"
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
