"""The local runner on a fresh clone: its own mail folder gets the activation email as a file,
and a service killed under it is said at once and started again."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import aiohttp
import asyncpg
import pytest
import pytest_asyncio

from shared.testing.factories import identite_json
from shared.testing.helpers import wait_until
from shared.testing.infrastructure import free_port
from tests.e2e.conftest import RABBITMQCTL, ROOT, existing_services, rabbitmqctl
from tests.e2e.test_journeys import PASSWORD

PORT_OFFSET = 2000
SERVICES = ("accounts", "notifications")
READY = re.compile(r"^(\w+)\s+ready (?:again )?on (\S+) \(pid (\d+)\)")


@dataclass
class Runner:
    process: asyncio.subprocess.Process
    local: Path
    urls: dict[str, str]
    pids: dict[str, int]

    async def line(self, wanted: str, timeout: float = 120) -> str:
        """Read the runner's output up to a line holding `wanted`, noting services' pids."""
        assert self.process.stdout is not None
        async with asyncio.timeout(timeout):
            while True:
                text = (await self.process.stdout.readline()).decode()
                assert text, f"the runner stopped; see {self.local}"
                if match := READY.match(text):
                    self.urls[match[1]] = match[2]
                    self.pids[match[1]] = int(match[3])
                if wanted in text:
                    return text


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def runner(
    postgres_server_dsn: str, amqp_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Runner]:
    if not RABBITMQCTL:
        pytest.skip("TEST_RABBITMQCTL is not set: the runner needs a vhost of its own")
    if not set(SERVICES) <= set(existing_services()):
        pytest.skip("accounts and notifications are needed")
    tag = uuid.uuid4().hex[:8]
    vhost = f"e2e-runner-{tag}"
    await rabbitmqctl("add_vhost", vhost)
    await rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    local = tmp_path_factory.mktemp("clone") / ".local"  # a fresh clone: no .local yet
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "deploy" / "run_local.py"),
        "--services",
        ",".join(SERVICES),
        "--postgres",
        postgres_server_dsn,
        "--amqp",
        amqp_server_url.rstrip("/") + "/" + quote(vhost, safe=""),
        "--db-prefix",
        f"e2e_{tag}_",
        "--port-offset",
        str(PORT_OFFSET),
        "--local",
        str(local),
        "--local-smtp-port",
        str(free_port()),
        "--local-s3-port",
        str(free_port()),
        stdout=asyncio.subprocess.PIPE,
    )
    started = Runner(process, local, {}, {})
    try:
        await started.line("all services ready")
        yield started
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 60)
        await rabbitmqctl("delete_vhost", vhost)
        conn = await asyncpg.connect(postgres_server_dsn)
        try:
            for service in SERVICES:
                await conn.execute(f'DROP DATABASE IF EXISTS "e2e_{tag}_{service}" WITH (FORCE)')
        finally:
            await conn.close()


async def register(runner: Runner) -> str:
    email = f"runner-{uuid.uuid4().hex[:10]}@example.org"
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            runner.urls["accounts"] + "/api/v1/accounts",
            json={"email": email, "password": PASSWORD, "identite": identite_json()},
        ) as response,
    ):
        assert response.status == 202, await response.text()
    return email


def mail_files_to(runner: Runner, email: str) -> list[Path]:
    folder = runner.local / "mail" / "new"
    return [path for path in folder.iterdir() if email in path.read_text(errors="replace")]


async def test_a_fresh_runner_keeps_the_activation_email_as_a_file(runner: Runner) -> None:
    email = await register(runner)

    async def arrived() -> bool:
        return bool(mail_files_to(runner, email))

    assert await wait_until(arrived, timeout=60)
    assert "Activer mon compte" in mail_files_to(runner, email)[0].read_text()


async def test_a_killed_service_is_reported_and_restarted(runner: Runner) -> None:
    os.kill(runner.pids["notifications"], signal.SIGKILL)
    said = await runner.line("notifications exited", timeout=10)
    assert "-9" in said
    await runner.line("ready again", timeout=120)
    email = await register(runner)  # and it does its work again

    async def arrived() -> bool:
        return bool(mail_files_to(runner, email))

    assert await wait_until(arrived, timeout=60)
