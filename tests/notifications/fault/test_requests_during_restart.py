"""Requests during a PostgreSQL restart: 503 service-unavailable with Retry-After, never a
500, and no ERROR logged (the outage is a WARNING when it starts, an INFO when it ends).
Restarts the database server of TEST_POSTGRES_DSN: runs only where TEST_PG_RESTART is set."""

from __future__ import annotations

import asyncio
import logging

import pytest

from shared.testing.helpers import wait_until
from shared.testing.service import ServiceUnderTest
from shared.testing.tokens import TestKeys
from tests.notifications.fault.conftest import PG_RESTART, restart_postgres
from tests.notifications.integration.conftest import admin_headers

pytestmark = [
    pytest.mark.fault,
    pytest.mark.skipif(not PG_RESTART, reason="TEST_PG_RESTART is not set"),
]


async def test_requests_during_a_database_restart_are_503_with_retry_after(
    service: ServiceUnderTest, test_keys: TestKeys, caplog: pytest.LogCaptureFixture
) -> None:
    client = service.client
    headers = admin_headers(test_keys)
    answers: list[tuple[int, str | None, dict[str, object]]] = []
    restarted = asyncio.Event()

    async def ask() -> None:
        response = await client.get("/api/v1/admin/messages", headers=headers)
        answers.append(
            (response.status, response.headers.get("Retry-After"), await response.json())
        )

    async def keep_asking() -> None:
        while not restarted.is_set():
            await ask()
            await asyncio.sleep(0.01)

    caplog.set_level(logging.INFO)
    asking = asyncio.create_task(keep_asking())
    await restart_postgres()
    restarted.set()
    await asking

    async def answered_again() -> bool:
        await ask()
        return answers[-1][0] == 200

    assert await wait_until(answered_again, timeout=30)
    statuses = {status for status, _, _ in answers}
    assert statuses <= {200, 503}, statuses
    refused = [(after, body) for status, after, body in answers if status == 503]
    assert refused, "no request met the restart"
    for retry_after, body in refused:
        assert retry_after is not None
        assert int(retry_after) > 0
        assert str(body["type"]).endswith("service-unavailable")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert [r.getMessage() for r in caplog.records if r.name == "shared.outages"] == [
        "database unreachable",
        "database reachable again",
    ]
