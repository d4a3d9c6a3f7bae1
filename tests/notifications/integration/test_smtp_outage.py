"""The SMTP server goes away and comes back: every pending email is delivered, once."""

from __future__ import annotations

import pytest

from shared.testing.factories import account_registration_repeated, random_email
from shared.testing.helpers import wait_until
from shared.testing.service import ServiceUnderTest
from shared.testing.smtp import SmtpSink

pytestmark = pytest.mark.fault

COUNT = 20


async def test_emails_recorded_during_an_outage_are_each_delivered_once_after_it(
    service: ServiceUnderTest, smtp: SmtpSink
) -> None:
    smtp.stop()
    addresses = [random_email() for _ in range(COUNT)]
    for address in addresses:
        await service.publish(account_registration_repeated(email=address))

    async def all_retried() -> bool:
        return bool(
            await service.pool.fetchval(
                "SELECT count(*) = $1 AND min(attempts) >= 2 FROM outgoing_messages", COUNT
            )
        )

    assert await wait_until(all_retried)
    smtp.start()

    async def all_sent() -> bool:
        return bool(
            await service.pool.fetchval(
                "SELECT count(*) FILTER (WHERE status = 'sent') = $1 FROM outgoing_messages",
                COUNT,
            )
        )

    assert await wait_until(all_sent, timeout=30)
    await smtp.wait_for(COUNT)
    assert sorted(r for rcpts, _ in smtp.received for r in rcpts) == sorted(addresses)
    deferred = await service.pool.fetchval(
        "SELECT count(*) FROM delivery_log WHERE outcome = 'deferred'"
    )
    assert deferred >= 2 * COUNT
