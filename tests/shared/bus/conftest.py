"""A small world for the bus tests: a migrated database, an `effects` table that counts how many
times each event had its effect, and factories for relays and consumers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from shared.bus.broker import Broker
from shared.bus.consumer import EventConsumer, Handler, Subscription
from shared.bus.outbox import Outbox
from shared.bus.relay import OutboxRelay
from shared.db import SHARED_MIGRATIONS, create_pool, migrate
from shared.events import Envelope, EventPayload, event
from shared.testing.helpers import wait_until
from shared.testing.plugin import BusNames

FAST_RETRIES = (0.05, 0.1, 0.2)


@event("TestPinged")
class Pinged(EventPayload):
    n: int


@pytest_asyncio.fixture
async def pool(database_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_dsn, min_size=1, max_size=10)
    async with pool.acquire() as conn:
        await migrate(conn, "shared", SHARED_MIGRATIONS)
        await conn.execute(
            "CREATE TABLE effects (event_id uuid PRIMARY KEY, n int NOT NULL, times int NOT NULL)"
        )
    yield pool
    await pool.close()


async def record_effect(conn: asyncpg.Connection, envelope: Envelope, payload: Pinged) -> None:
    """The effect under test: counts how many times each event was applied."""
    await conn.execute(
        """INSERT INTO effects (event_id, n, times) VALUES ($1, $2, 1)
           ON CONFLICT (event_id) DO UPDATE SET times = effects.times + 1""",
        envelope.event_id,
        payload.n,
    )


@pytest.fixture
def outbox(bus_names: BusNames) -> Outbox:
    return Outbox(producer="tests", exchange=bus_names.exchange)


class World:
    """Relays and consumers started by a test, stopped after it."""

    def __init__(self, pool: asyncpg.Pool, broker: Broker, names: BusNames, dsn: str) -> None:
        self.pool = pool
        self.broker = broker
        self.names = names
        self.dsn = dsn
        self.tasks: list[asyncio.Task[None]] = []
        self.consumers: list[EventConsumer] = []

    async def consumer(
        self,
        handler: Handler = record_effect,
        purpose: str = "effects",
        retries: tuple[float, ...] = FAST_RETRIES,
    ) -> EventConsumer:
        consumer = EventConsumer(
            Subscription(self.names.queue(purpose), {Pinged: handler}),
            pool=self.pool,
            broker=self.broker,
            retry_delays_s=retries,
        )
        self.names.queues.extend(consumer.queue_names())
        await consumer.start()
        self.consumers.append(consumer)
        return consumer

    def relay(self, **options: Any) -> OutboxRelay:
        relay = OutboxRelay(self.pool, self.broker, self.dsn, poll_interval_s=0.2, **options)
        self.tasks.append(asyncio.create_task(relay.run()))
        return relay

    async def effects(self) -> dict[int, int]:
        rows = await self.pool.fetch("SELECT n, times FROM effects")
        return {row["n"]: row["times"] for row in rows}

    async def wait_for_effects(self, count: int, timeout: float = 20.0) -> dict[int, int]:
        await wait_until(lambda: self._count_at_least(count), timeout)
        return await self.effects()

    async def _count_at_least(self, count: int) -> bool:
        return bool(await self.pool.fetchval("SELECT count(*) >= $1 FROM effects", count))

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for consumer in self.consumers:
            await consumer.stop()


@pytest_asyncio.fixture
async def world(
    pool: asyncpg.Pool, broker: Broker, bus_names: BusNames, database_dsn: str
) -> AsyncIterator[World]:
    world = World(pool, broker, bus_names, database_dsn)
    yield world
    await world.close()


async def add_pings(pool: asyncpg.Pool, outbox: Outbox, numbers: range) -> None:
    async with pool.acquire() as conn, conn.transaction():
        for n in numbers:
            await outbox.add(conn, Pinged(n=n))
