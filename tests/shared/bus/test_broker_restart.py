"""RabbitMQ stopped and started while events flow: nothing lost, nothing applied twice.

It stops the broker this machine shares (`rabbitmqctl stop_app`), so it runs only where the
tests may do that: set TEST_RABBITMQCTL to the command prefix (CI sets `rabbitmqctl`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import shlex
import subprocess
from collections.abc import Iterator

import asyncpg
import pytest

from shared.bus.outbox import Outbox
from shared.testing.helpers import wait_until
from tests.shared.bus.conftest import World, add_pings

RESTART = os.environ.get("TEST_RABBITMQCTL")

pytestmark = [
    pytest.mark.fault,
    pytest.mark.skipif(not RESTART, reason="TEST_RABBITMQCTL is not set"),
]

EVENTS = 300


@pytest.fixture(scope="module", autouse=True)
def broker_left_healthy() -> Iterator[None]:
    """RabbitMQ 3.10 can lose its quorum dead-letter supervisor when queues are deleted just
    after a restart, as this module's teardown does; later declarations would then fail. After
    the module, restart the app once more if that happened."""
    yield
    ctl = shlex.split(RESTART or "")
    probe = subprocess.run(
        [*ctl, "-q", "eval", "whereis(rabbit_fifo_dlx_sup)."], capture_output=True, text=True
    )
    if "undefined" in probe.stdout:
        subprocess.run([*ctl, "-q", "stop_app"], check=True)
        subprocess.run([*ctl, "-q", "start_app"], check=True)


async def rabbitmqctl(command: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *shlex.split(RESTART or ""),
        command,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert await process.wait() == 0, f"rabbitmqctl {command} failed"


async def produce(pool: asyncpg.Pool, outbox: Outbox) -> None:
    for start in range(0, EVENTS, 10):
        await add_pings(pool, outbox, range(start, start + 10))
        await asyncio.sleep(0.05)


async def consumers_back(world: World) -> bool:
    return world.broker.is_connected and all(c.is_running for c in world.consumers)


async def test_events_flowing_through_a_broker_restart_are_each_handled_once(
    world: World, outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await world.consumer()
    world.relay()
    world.relay()
    producing = asyncio.create_task(produce(world.pool, outbox))

    await asyncio.sleep(0.5)
    await rabbitmqctl("stop_app")
    await asyncio.sleep(2)
    await rabbitmqctl("start_app")
    await producing

    effects = await world.wait_for_effects(EVENTS, timeout=120)
    assert len(effects) == EVENTS
    assert set(effects.values()) == {1}
    assert await wait_until(lambda: consumers_back(world), timeout=60)
    unpublished = await world.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE published_at IS NULL"
    )
    assert unpublished == 0
    # An outage ridden out needs no person: one WARNING, one INFO, no ERROR.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert [r.getMessage() for r in caplog.records if r.name == "shared.outages"] == [
        "broker unreachable",
        "broker reachable again",
    ]
