"""What the fault tests of notifications share: a ledger of what the SMTP server received."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp

from shared.bus.broker import Broker
from shared.events.catalogue import AccountRegistrationRepeated
from shared.testing.helpers import publish_event, wait_until
from shared.testing.infrastructure import free_port
from shared.testing.smtp import SmtpSink
from tests.notifications.factories import random_email
from tests.notifications.integration.conftest import client, settings  # noqa: F401 - fixtures

PG_RESTART = os.environ.get("TEST_PG_RESTART")


async def restart_postgres() -> None:
    process = await asyncio.create_subprocess_exec(
        *shlex.split(PG_RESTART or ""),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert await process.wait() == 0, "the PostgreSQL restart failed"


async def publish_emails(broker: Broker, count: int) -> list[str]:
    """One email each (AccountRegistrationRepeated), to addresses of their own."""
    addresses = [random_email() for _ in range(count)]
    for address in addresses:
        await publish_event(
            broker, AccountRegistrationRepeated(account_id=uuid.uuid4(), email=address)
        )
    return addresses


def ledger(smtp: SmtpSink, addresses: list[str]) -> tuple[int, int]:
    """(addresses that received their email, emails received more than once)."""
    received = Counter(smtp.recipients)
    delivered = sum(1 for address in addresses if received[address] >= 1)
    duplicates = sum(received[address] - 1 for address in addresses if received[address] > 1)
    return delivered, duplicates


def queue_names(prefix: str, retry_delays_s: tuple[float, ...]) -> list[str]:
    """The queues a notifications process declares under `prefix` (deleted after the test)."""
    queue = f"{prefix}.emails"
    retries = [f"{queue}.retry.{max(1, round(delay * 1000))}" for delay in retry_delays_s]
    return [queue, f"{queue}.dead", *retries]


class ServiceProcess:
    """The notifications service as a process of its own (`python -m notifications`), so that
    it can be killed as a crash would."""

    def __init__(self, values: dict[str, Any], log: Path) -> None:
        self.port = free_port()
        self.env = {**os.environ, "NOTIFICATIONS_HTTP_HOST": "127.0.0.1"}
        for key, value in {**values, "http_port": self.port}.items():
            text = json.dumps(value) if isinstance(value, list | tuple) else str(value)
            self.env[f"NOTIFICATIONS_{key.upper()}"] = text
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "notifications", env=self.env, stdout=out, stderr=out
            )
        url = f"http://127.0.0.1:{self.port}/health/ready"

        async def ready() -> bool:
            assert self.process is not None
            assert self.process.returncode is None, f"exited; see {self.log}"
            with contextlib.suppress(aiohttp.ClientError):
                async with aiohttp.ClientSession() as session, session.get(url) as response:
                    return response.status == 200
            return False

        assert await wait_until(ready, timeout=60, interval=0.2), f"not ready; see {self.log}"

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 40)
            except TimeoutError:
                await self.kill()
