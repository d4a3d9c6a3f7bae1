"""PostgreSQL restarted while events flow: every committed event is handled exactly once.

It restarts the database server this machine shares, so it runs only where the tests may do
that: set TEST_PG_RESTART to the command that restarts it (CI sets one).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shlex

import asyncpg
import pytest

from shared.bus.outbox import Outbox
from shared.events import Envelope
from shared.testing.helpers import wait_until
from tests.shared.bus.conftest import World, add_pings

RESTART = os.environ.get("TEST_PG_RESTART")

pytestmark = [
    pytest.mark.fault,
    pytest.mark.skipif(not RESTART, reason="TEST_PG_RESTART is not set"),
]


async def restart_postgres() -> None:
    process = await asyncio.create_subprocess_exec(
        *shlex.split(RESTART or ""),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert await process.wait() == 0, "the PostgreSQL restart failed"


async def produce(pool: asyncpg.Pool, outbox: Outbox, confirmed: list[int]) -> None:
    """Writes batches for a while; `confirmed` holds what the database said it committed. A
    batch whose commit was cut off may have committed all the same: the outbox is the truth."""
    for start in range(0, 400, 10):
        with contextlib.suppress(Exception):  # a request failing during the outage
            await add_pings(pool, outbox, range(start, start + 10))
            confirmed.extend(range(start, start + 10))
        await asyncio.sleep(0.03)


async def committed(pool: asyncpg.Pool) -> set[int]:
    rows = await pool.fetch("SELECT body FROM outbox")
    return {Envelope.model_validate_json(row["body"]).payload["n"] for row in rows}


async def test_events_flowing_through_a_database_restart_are_each_handled_once(
    world: World, outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # The test's retry delays add up to a fraction of a second, far less than the restart:
    # events must wait for the database, not use up their retries and end as dead letters.
    await world.consumer()
    world.relay()
    confirmed: list[int] = []
    producing = asyncio.create_task(produce(world.pool, outbox, confirmed))

    await asyncio.sleep(0.4)
    await restart_postgres()
    await producing

    written = await committed(world.pool)
    assert set(confirmed) <= written
    assert await wait_until(lambda: _handled(world, len(written)), timeout=120)
    effects = await world.effects()
    assert set(effects) == written
    assert set(effects.values()) == {1}
    assert await world.pool.fetchval("SELECT count(*) FROM dead_letters") == 0
    # An outage ridden out needs no person: one WARNING, one INFO, no ERROR.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    # The relay and the consumer may sleep through a short restart (nothing to do until the
    # next poll): if they met it, it is one warning and one info. That a request always meets
    # it is tests/notifications/fault/test_requests_during_restart.py.
    outage = [r.getMessage() for r in caplog.records if r.name == "shared.outages"]
    assert outage in ([], ["database unreachable", "database reachable again"])


async def _handled(world: World, count: int) -> bool:
    with contextlib.suppress(Exception):  # the pool may still be reconnecting
        return bool(await world.pool.fetchval("SELECT count(*) >= $1 FROM effects", count))
    return False
