"""The platform the browser tests click through: deploy/run_local.py with the portal, its
emails kept as files in a Maildir (run_local's local SMTP server), read back by the tests.

Two ways to get it:
- CI (TEST_RABBITMQCTL set): the fixture starts run_local on a RabbitMQ vhost and databases
  of its own, deleted afterwards, like tests/e2e;
- TEST_PORTAL_PLATFORM="<port offset>:<--local folder>:<--db-prefix>": a platform already
  started by hand (`python deploy/run_local.py --port-offset 3000 --local /tmp/p --db-prefix
  p_ --exchange p.events --queue-prefix p-`), on a machine where the broker is not ours to
  administer.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
import pytest
import pytest_asyncio

from shared.testing.infrastructure import free_port
from tests.e2e.conftest import _wait_for_line, rabbitmqctl

ROOT = Path(__file__).resolve().parents[2]
RABBITMQCTL = os.environ.get("TEST_RABBITMQCTL")
ATTACH = os.environ.get("TEST_PORTAL_PLATFORM")
SERVICES = ("accounts", "registration", "documents", "uploads", "notifications", "portal")
PORTS = {
    "accounts": 8081,
    "registration": 8082,
    "documents": 8083,
    "uploads": 8084,
    "notifications": 8085,
    "portal": 8080,
}
OWN_OFFSET = 4000  # not 2000: Chromium refuses port 10080 (ERR_UNSAFE_PORT)


@dataclass(frozen=True)
class RunningPlatform:
    offset: int
    local: Path
    postgres_dsn: str
    amqp_url: str
    db_prefix: str

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{PORTS[service] + self.offset}"

    def database(self, service: str) -> str:
        path = f"/{self.db_prefix}{service}"
        return urlunsplit(urlsplit(self.postgres_dsn)._replace(path=path))

    def email(self, address: str, subject: str, timeout: float = 60) -> EmailMessage:
        """The newest email to `address` whose subject holds `subject`, once it arrived."""
        deadline = time.monotonic() + timeout
        folder = self.local / "mail" / "new"
        while time.monotonic() < deadline:
            found = []
            for path in folder.glob("*") if folder.exists() else []:
                message = message_from_bytes(path.read_bytes(), policy=policy.default)
                assert isinstance(message, EmailMessage)
                if address in str(message["To"]) and subject in str(message["Subject"]):
                    found.append((path.stat().st_mtime, message))
            if found:
                return max(found, key=lambda pair: pair[0])[1]
            time.sleep(0.2)
        raise AssertionError(f"no email {subject!r} to {address}")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def running_platform(
    postgres_server_dsn: str, amqp_server_url: str
) -> AsyncIterator[RunningPlatform]:
    if ATTACH:
        offset, local, prefix = ATTACH.split(":")
        yield RunningPlatform(
            int(offset), Path(local), postgres_server_dsn, amqp_server_url, prefix
        )
        return
    if not RABBITMQCTL:
        pytest.skip("TEST_RABBITMQCTL (or TEST_PORTAL_PLATFORM) is not set: no platform to run")
    async for platform in _own_platform(postgres_server_dsn, amqp_server_url):
        yield platform


async def _own_platform(postgres: str, amqp_server_url: str) -> AsyncIterator[RunningPlatform]:
    tag = uuid.uuid4().hex[:8]
    vhost = f"portal-{tag}"
    await rabbitmqctl("add_vhost", vhost)
    await rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    amqp = amqp_server_url.rstrip("/") + "/" + quote(vhost, safe="")
    local = Path(tempfile.mkdtemp(prefix="portal-platform-"))
    platform = RunningPlatform(OWN_OFFSET, local, postgres, amqp, f"portal_{tag}_")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "deploy" / "run_local.py"),
        *("--services", ",".join(SERVICES), "--postgres", postgres, "--amqp", amqp),
        *("--db-prefix", platform.db_prefix, "--port-offset", str(OWN_OFFSET)),
        *("--local", str(local), "--local-smtp-port", str(free_port())),
        *("--local-s3-port", str(free_port())),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        await _wait_for_line(process, "all services ready", timeout=180)
        yield platform
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 60)
        await rabbitmqctl("delete_vhost", vhost)
        await _drop_databases(platform)


async def _drop_databases(platform: RunningPlatform) -> None:
    conn = await asyncpg.connect(platform.postgres_dsn)
    try:
        for service in SERVICES:
            name = f"{platform.db_prefix}{service}"
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
