from __future__ import annotations

import contextlib

import aio_pika
import asyncpg
import pytest

from shared.bus import relay as relay_module
from shared.bus.outbox import Outbox
from shared.bus.relay import OutboxRelay
from shared.events import Envelope
from shared.metrics import EVENTS_HANDLED
from shared.testing.helpers import wait_until
from tests.shared.bus.conftest import Pinged, World, add_pings


async def test_a_committed_event_reaches_a_bound_consumer(world: World, outbox: Outbox) -> None:
    await world.consumer()
    world.relay()

    await add_pings(world.pool, outbox, range(1))

    assert await world.wait_for_effects(1) == {0: 1}


async def test_a_rolled_back_event_is_never_published(world: World, outbox: Outbox) -> None:
    await world.consumer()
    world.relay()

    with contextlib.suppress(RuntimeError):
        async with world.pool.acquire() as conn, conn.transaction():
            await outbox.add(conn, Pinged(n=1))
            raise RuntimeError("the state change failed")
    await add_pings(world.pool, outbox, range(2, 3))

    assert await world.wait_for_effects(1) == {2: 1}
    # The relay publishes only what the outbox holds: the rolled-back event never reached it,
    # so once the one committed row is marked published there is nothing left to send.
    rows = await world.pool.fetch("SELECT body, published_at FROM outbox")
    assert [Envelope.model_validate_json(row["body"]).payload["n"] for row in rows] == [2]
    assert await wait_until(lambda: _all_published(world.pool))


def duplicates_seen(world: World) -> float:
    queue = world.consumers[0].queue_name
    seen: float = EVENTS_HANDLED.labels(queue, "duplicate")._value.get()
    return seen


async def test_relay_killed_between_publish_and_mark_publishes_again_and_inbox_absorbs_it(
    world: World, outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    await world.consumer()
    await add_pings(world.pool, outbox, range(5))

    async def crash(*_: object) -> None:
        raise ConnectionResetError("relay died before marking the rows")

    with monkeypatch.context() as patched:
        patched.setattr(relay_module, "_mark_sent", crash)
        with pytest.raises(ConnectionResetError):
            await OutboxRelay(world.pool, world.broker, world.dsn).publish_batch()
    assert await world.pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 5
    await world.wait_for_effects(5)

    world.relay()  # after the "restart", a relay publishes the same five again

    await wait_until(lambda: _all_published(world.pool))
    await wait_until(lambda: _async(duplicates_seen(world) >= 5))
    assert duplicates_seen(world) == 5
    assert await world.effects() == dict.fromkeys(range(5), 1)


async def _async(value: bool) -> bool:
    return value


async def _all_published(pool: asyncpg.Pool) -> bool:
    return bool(await pool.fetchval("SELECT bool_and(published_at IS NOT NULL) FROM outbox"))


async def test_the_same_event_delivered_twice_has_one_effect(world: World) -> None:
    await world.consumer()
    envelope = Envelope.wrap(Pinged(n=7), producer="tests")
    exchange = await world.broker.exchange(world.names.exchange)

    for _ in range(2):
        message = aio_pika.Message(
            envelope.model_dump_json().encode(), message_id=str(envelope.event_id)
        )
        await exchange.publish(message, envelope.routing_key)

    await wait_until(lambda: _async(duplicates_seen(world) >= 1))
    assert duplicates_seen(world) == 1
    assert await world.effects() == {7: 1}


async def test_a_thousand_events_over_four_relays_are_each_handled_exactly_once(
    world: World, outbox: Outbox
) -> None:
    await world.consumer()
    await add_pings(world.pool, outbox, range(1000))

    for _ in range(4):
        world.relay(batch_size=50)

    effects = await world.wait_for_effects(1000, timeout=60)
    assert len(effects) == 1000
    assert set(effects.values()) == {1}
    assert await world.pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
    assert await world.pool.fetchval("SELECT max(attempts) FROM outbox") == 1
