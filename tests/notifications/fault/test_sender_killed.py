"""The notifications process killed mid-batch: once a new one starts, every email goes out
within a minute (the emails the dead sender had claimed wait for its lease, sized to a batch).
At least once: an email sent but not yet recorded when the process died is sent again."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from shared.bus.broker import Broker
from shared.testing.helpers import wait_until
from shared.testing.plugin import BusNames
from shared.testing.process import ServiceProcess
from shared.testing.smtp import SmtpSink
from tests.notifications.fault.conftest import (
    ledger,
    publish_emails,
    queue_names,
)

pytestmark = pytest.mark.fault

COUNT = 60
WORKERS = 4


@pytest_asyncio.fixture(loop_scope="session")
async def processes(
    service_settings: dict[str, Any], smtp: SmtpSink, bus_names: BusNames, tmp_path: Path
) -> AsyncIterator[list[ServiceProcess]]:
    settings = {
        **service_settings,
        "smtp_host": smtp.host,
        "smtp_port": smtp.port,
        "smtp_security": "none",
        "smtp_max_connections": WORKERS,
        # Paced, so that the process dies with batches claimed and half sent.
        "smtp_max_messages_per_second": 10,
    }
    bus_names.queues.extend(
        queue_names(bus_names.prefix, service_settings["consumer_retry_delays_s"])
    )
    started = [ServiceProcess("notifications", settings, tmp_path / "first.log")]
    started.append(ServiceProcess("notifications", settings, tmp_path / "second.log"))
    yield started
    for process in started:
        await process.stop()


async def test_emails_of_a_killed_sender_all_go_out_within_a_minute_of_the_restart(
    processes: list[ServiceProcess], broker: Broker, smtp: SmtpSink
) -> None:
    first, second = processes
    await first.start()
    addresses = await publish_emails(broker, COUNT)
    await smtp.wait_for(8, timeout=30)
    await first.kill()
    received_before = len(smtp.recipients)
    assert received_before < COUNT, "everything was sent before the kill: no batch in hand"

    restarted = time.monotonic()
    await second.start()

    async def all_delivered() -> bool:
        return ledger(smtp, addresses)[0] == COUNT

    assert await wait_until(all_delivered, timeout=120)
    recovery_s = time.monotonic() - restarted
    _, duplicates = ledger(smtp, addresses)
    print(f"all {COUNT} delivered {recovery_s:.1f} s after the restart; {duplicates} resent")
    assert recovery_s < 60
    # Only an email sent but not yet recorded (one per worker, and one record behind) is sent
    # twice.
    assert duplicates <= 2 * WORKERS
