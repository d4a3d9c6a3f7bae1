"""PostgreSQL restarted while events flow: every committed event is handled exactly once.

It restarts the database server this machine shares, so it runs only where the tests may do
that: set TEST_PG_RESTART to the command that restarts it (CI sets one).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex

import asyncpg
import pytest

from shared.bus.outbox import Outbox
from shared.testing.helpers import wait_until
from tests.shared.bus.conftest import World, add_pings

RESTART = os.environ.get("TEST_PG_RESTART")

pytestmark = [
    pytest.mark.fault,
    pytest.mark.skipif(not RESTART, reason="TEST_PG_RESTART is not set"),
]

# Long enough, all together, to outlast the restart: a handler failing meanwhile is retried.
RETRIES = (0.5, 1.0, 2.0, 4.0, 8.0)


async def restart_postgres() -> None:
    process = await asyncio.create_subprocess_exec(
        *shlex.split(RESTART or ""),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert await process.wait() == 0, "the PostgreSQL restart failed"


async def produce(pool: asyncpg.Pool, outbox: Outbox, ledger: list[int]) -> None:
    """Writes batches for a while; the ledger holds only what was committed."""
    for start in range(0, 400, 10):
        with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            await add_pings(pool, outbox, range(start, start + 10))
            ledger.extend(range(start, start + 10))
        await asyncio.sleep(0.03)


async def test_events_flowing_through_a_database_restart_are_each_handled_once(
    world: World, outbox: Outbox
) -> None:
    await world.consumer(retries=RETRIES)
    world.relay()
    ledger: list[int] = []
    producing = asyncio.create_task(produce(world.pool, outbox, ledger))

    await asyncio.sleep(0.4)
    await restart_postgres()
    await producing

    assert await wait_until(lambda: _handled(world, len(ledger)), timeout=120)
    effects = await world.effects()
    assert sorted(effects) == sorted(ledger)
    assert set(effects.values()) == {1}
    assert await world.pool.fetchval("SELECT count(*) FROM dead_letters") == 0


async def _handled(world: World, count: int) -> bool:
    with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return bool(await world.pool.fetchval("SELECT count(*) >= $1 FROM effects", count))
    return False
