"""A 4xx answer is tried again until accepted; a stopped service hands its claims back."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import asyncpg
import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from notifications.app import build_app
from notifications.settings import Settings
from shared.bus.broker import Broker
from shared.events.catalogue import AccountRegistrationRepeated
from shared.testing.helpers import publish_event, wait_until
from shared.testing.infrastructure import free_port
from shared.testing.plugin import BusNames
from shared.testing.smtp import SmtpSink
from tests.notifications.factories import random_email
from tests.notifications.integration.conftest import Client, pool_of


class Greylisting:
    """Answers 451 to the first `refusals` deliveries of each recipient, then accepts."""

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.seen: dict[str, int] = {}
        self.accepted: list[str] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        self.seen[address] = self.seen.get(address, 0) + 1
        if self.seen[address] <= self.refusals:
            return "451 4.7.1 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.accepted.extend(envelope.rcpt_tos)
        return "250 Message accepted"


@pytest.fixture
def greylisting() -> Iterator[tuple[Greylisting, int]]:
    handler, port = Greylisting(refusals=2), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


async def test_a_temporary_refusal_is_tried_again_with_the_attempts_logged(
    settings: Settings,
    serve: Callable[[web.Application], Awaitable[Client]],
    broker: Broker,
    bus_names: BusNames,
    greylisting: tuple[Greylisting, int],
) -> None:
    handler, port = greylisting
    client = await serve(build_app(settings.model_copy(update={"smtp_port": port})))
    email = random_email()

    await publish_event(broker, AccountRegistrationRepeated(account_id=uuid.uuid4(), email=email))

    async def sent() -> bool:
        status = await pool_of(client).fetchval("SELECT status FROM outgoing_messages")
        return bool(status == "sent")

    assert await wait_until(sent)
    assert handler.accepted == [email]
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
