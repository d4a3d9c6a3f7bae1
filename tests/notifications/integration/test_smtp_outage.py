"""The SMTP server goes away and comes back: every pending email is delivered, once."""

from __future__ import annotations

import uuid

import pytest

from shared.bus.broker import Broker
from shared.events.catalogue import AccountRegistrationRepeated
from shared.testing.helpers import publish_event, wait_until
from shared.testing.plugin import BusNames
from shared.testing.smtp import SmtpSink
from tests.notifications.factories import random_email
from tests.notifications.integration.conftest import Client, pool_of

pytestmark = pytest.mark.fault

COUNT = 20


async def test_emails_recorded_during_an_outage_are_each_delivered_once_after_it(
    client: Client, broker: Broker, bus_names: BusNames, smtp: SmtpSink
) -> None:
    smtp.stop()
    addresses = [random_email() for _ in range(COUNT)]
    for address in addresses:
        await publish_event(
            broker, AccountRegistrationRepeated(account_id=uuid.uuid4(), email=address)
        )

    async def all_retried() -> bool:
        return bool(
            await pool_of(client).fetchval(
                "SELECT count(*) = $1 AND min(attempts) >= 2 FROM outgoing_messages", COUNT
            )
        )

    assert await wait_until(all_retried)
    smtp.start()

    async def all_sent() -> bool:
        return bool(
            await pool_of(client).fetchval(
                "SELECT count(*) FILTER (WHERE status = 'sent') = $1 FROM outgoing_messages",
                COUNT,
            )
        )

    assert await wait_until(all_sent, timeout=30)
    await smtp.wait_for(COUNT)
    assert sorted(r for rcpts, _ in smtp.received for r in rcpts) == sorted(addresses)
    deferred = await pool_of(client).fetchval(
        "SELECT count(*) FROM delivery_log WHERE outcome = 'deferred'"
    )
    assert deferred >= 2 * COUNT
