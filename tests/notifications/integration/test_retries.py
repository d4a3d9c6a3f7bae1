"""A 4xx answer is tried again until accepted; a stopped service hands its claims back."""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
import pytest

from notifications.settings import Settings
from shared.testing.factories import account_registration_repeated, random_email
from shared.testing.helpers import wait_until
from shared.testing.service import Start
from shared.testing.smtp import SmtpSink


@pytest.fixture
def greylisting() -> Iterator[SmtpSink]:
    """Answers 451 to the first two deliveries of each recipient, then accepts."""
    sink = SmtpSink(greylist=2)
    sink.start()
    yield sink
    sink.stop()


async def test_a_temporary_refusal_is_tried_again_with_the_attempts_logged(
    start: Start, greylisting: SmtpSink
) -> None:
    service = await start(smtp_port=greylisting.port)
    email = random_email()

    await service.publish(account_registration_repeated(email=email))

    async def sent() -> bool:
        status = await service.pool.fetchval("SELECT status FROM outgoing_messages")
        return bool(status == "sent")

    assert await wait_until(sent)
    assert greylisting.recipients == [email]
    log = await service.pool.fetch("SELECT outcome, smtp_code FROM delivery_log ORDER BY id")
    assert [(row["outcome"], row["smtp_code"]) for row in log] == [
        ("deferred", 451),
        ("deferred", 451),
        ("delivered", 250),
    ]


async def test_a_service_stopped_mid_batch_leaves_nothing_claimed_and_a_restart_sends_the_rest(
    settings: Settings, start: Start, smtp: SmtpSink
) -> None:
    first = await start(smtp_max_messages_per_second=20, sender_batch_size=50)
    addresses = [random_email() for _ in range(30)]
    for address in addresses:
        await first.publish(account_registration_repeated(email=address))
    await smtp.wait_for(3)

    await first.client.close()

    conn = await asyncpg.connect(settings.database_url)
    waiting = await conn.fetchval(
        """SELECT count(*) FROM outgoing_messages
           WHERE status = 'pending' AND next_attempt_at > now() + interval '10 seconds'"""
    )
    await conn.close()
    assert waiting == 0  # nothing left under a lease: the stopped sender gave its claims back
    second = await start()

    async def all_sent() -> bool:
        return bool(
            await second.pool.fetchval(
                "SELECT count(*) FILTER (WHERE status = 'sent') = $1 FROM outgoing_messages",
                len(addresses),
            )
        )

    assert await wait_until(all_sent, timeout=30)
    assert sorted(r for rcpts, _ in smtp.received for r in rcpts) == sorted(addresses)
