"""A 4xx answer is tried again until accepted; a stopped service hands its claims back."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator

import asyncpg
import pytest
from aiohttp import web

from notifications.app import build_app
from notifications.settings import Settings
from shared.bus.broker import Broker
from shared.events.catalogue import AccountRegistrationRepeated
from shared.testing.helpers import publish_event, wait_until
from shared.testing.plugin import BusNames
from shared.testing.smtp import SmtpSink
from tests.notifications.factories import random_email
from tests.notifications.integration.conftest import Client, pool_of


@pytest.fixture
def greylisting() -> Iterator[SmtpSink]:
    """Answers 451 to the first two deliveries of each recipient, then accepts."""
    sink = SmtpSink(greylist=2)
    sink.start()
    yield sink
    sink.stop()


async def test_a_temporary_refusal_is_tried_again_with_the_attempts_logged(
    settings: Settings,
    serve: Callable[[web.Application], Awaitable[Client]],
    broker: Broker,
    bus_names: BusNames,
    greylisting: SmtpSink,
) -> None:
    port = greylisting.port
    client = await serve(build_app(settings.model_copy(update={"smtp_port": port})))
    email = random_email()

    await publish_event(broker, AccountRegistrationRepeated(account_id=uuid.uuid4(), email=email))

    async def sent() -> bool:
        status = await pool_of(client).fetchval("SELECT status FROM outgoing_messages")
        return bool(status == "sent")

    assert await wait_until(sent)
    assert greylisting.recipients == [email]
    log = await pool_of(client).fetch("SELECT outcome, smtp_code FROM delivery_log ORDER BY id")
    assert [(row["outcome"], row["smtp_code"]) for row in log] == [
        ("deferred", 451),
        ("deferred", 451),
        ("delivered", 250),
    ]


async def test_a_service_stopped_mid_batch_leaves_nothing_claimed_and_a_restart_sends_the_rest(
    settings: Settings,
    serve: Callable[[web.Application], Awaitable[Client]],
    broker: Broker,
    bus_names: BusNames,
    smtp: SmtpSink,
) -> None:
    slow = settings.model_copy(update={"smtp_max_messages_per_second": 20, "sender_batch_size": 50})
    first = await serve(build_app(slow))
    addresses = [random_email() for _ in range(30)]
    for address in addresses:
        await publish_event(
            broker, AccountRegistrationRepeated(account_id=uuid.uuid4(), email=address)
        )
    await smtp.wait_for(3)

    await first.close()

    conn = await asyncpg.connect(settings.database_url)
    waiting = await conn.fetchval(
        """SELECT count(*) FROM outgoing_messages
           WHERE status = 'pending' AND next_attempt_at > now() + interval '10 seconds'"""
    )
    await conn.close()
    assert waiting == 0  # nothing left under a lease: the stopped sender gave its claims back
    second = await serve(build_app(settings))

    async def all_sent() -> bool:
        return bool(
            await pool_of(second).fetchval(
                "SELECT count(*) FILTER (WHERE status = 'sent') = $1 FROM outgoing_messages",
                len(addresses),
            )
        )

    assert await wait_until(all_sent, timeout=30)
    assert sorted(r for rcpts, _ in smtp.received for r in rcpts) == sorted(addresses)
