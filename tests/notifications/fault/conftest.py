"""What the fault tests of notifications share: a ledger of what the SMTP server received."""

from __future__ import annotations

import asyncio
import os
import shlex
import uuid
from collections import Counter

from shared.bus.broker import Broker
from shared.events.catalogue import AccountRegistrationRepeated
from shared.testing.factories import random_email
from shared.testing.helpers import publish_event
from shared.testing.smtp import SmtpSink
from tests.notifications.integration.conftest import (  # noqa: F401 - fixtures
    service,
    settings,
    start,
)

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
