"""PostgreSQL restarted while emails are being sent: each email is delivered exactly once.

Before the fix a delivery whose record failed (the database restarting) was given back, failed
again, and was sent a second time when its lease ran out. Restarts the database server that
TEST_POSTGRES_DSN points to: runs only where TEST_PG_RESTART is set.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from notifications.app import build_app
from notifications.settings import Settings
from shared.bus.broker import Broker
from shared.http.keys import POOL
from shared.testing.helpers import wait_until
from shared.testing.smtp import SmtpSink
from tests.notifications.fault.conftest import (
    PG_RESTART,
    ledger,
    publish_emails,
    restart_postgres,
)
from tests.notifications.integration.conftest import Client

pytestmark = [
    pytest.mark.fault,
    pytest.mark.skipif(not PG_RESTART, reason="TEST_PG_RESTART is not set"),
]

COUNT = 150


async def test_emails_sent_through_a_database_restart_are_each_delivered_once(
    service_settings: dict[str, Any],
    smtp: SmtpSink,
    serve: Callable[[web.Application], Awaitable[Client]],
    broker: Broker,
) -> None:
    settings = Settings(
        **service_settings,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_security="none",
        # Paced, so that sending spans the restart.
        smtp_max_messages_per_second=40,
        sender_poll_interval_s=0.2,
        # The shortest lease: a delivery given up for lost would be sent again within the test.
        sender_claim_lease_s=3,
        retry_initial_delay_s=0.2,
        retry_max_delay_s=1,
    )
    client = await serve(build_app(settings))
    addresses = await publish_emails(broker, COUNT)
    await smtp.wait_for(20, timeout=30)

    await restart_postgres()

    async def all_sent() -> bool:
        with contextlib.suppress(Exception):  # the pool may still be reconnecting
            return bool(
                await client.app[POOL].fetchval(
                    "SELECT count(*) = $1 FROM outgoing_messages WHERE status = 'sent'", COUNT
                )
            )
        return False

    # Before the fix, the last messages were recorded sent only after their second sending.
    assert await wait_until(all_sent, timeout=120)
    delivered, duplicates = ledger(smtp, addresses)
    assert (delivered, duplicates) == (COUNT, 0)
