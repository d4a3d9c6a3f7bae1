from __future__ import annotations

import aio_pika
import asyncpg
import pytest
from aio_pika.exceptions import PublishError

from shared.bus.dead_letters import list_dead_letters, replay_dead_letter
from shared.bus.outbox import Outbox
from shared.bus.relay import OutboxRelay
from shared.events import Envelope
from shared.testing.helpers import wait_until
from tests.shared.bus.conftest import FAST_RETRIES, Pinged, World, add_pings, record_effect


class Flaky:
    """A handler that fails until it is fixed, counting its calls."""

    def __init__(self) -> None:
        self.fixed = False
        self.calls = 0

    async def __call__(self, conn: asyncpg.Connection, envelope: Envelope, payload: Pinged) -> None:
        self.calls += 1
        if not self.fixed:
            raise RuntimeError("the handler has a bug")
        await record_effect(conn, envelope, payload)


async def has_dead_letters(pool: asyncpg.Pool) -> bool:
    return await dead_letter_count(pool) > 0


async def dead_letter_count(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM dead_letters WHERE replayed_at IS NULL")
    return count


async def test_a_failing_event_is_dead_lettered_after_the_limit_and_replayed_once_fixed(
    world: World, outbox: Outbox
) -> None:
    handler = Flaky()
    await world.consumer(handler)
    world.relay()
    await add_pings(world.pool, outbox, range(1))

    assert await wait_until(lambda: has_dead_letters(world.pool))
    assert handler.calls == len(FAST_RETRIES) + 1
    async with world.pool.acquire() as conn:
        [letter] = await list_dead_letters(conn)
    assert letter.event_type == "TestPinged"
    assert "the handler has a bug" in letter.reason
    assert letter.attempts == len(FAST_RETRIES) + 1
    assert await world.effects() == {}

    handler.fixed = True
    async with world.pool.acquire() as conn, conn.transaction():
        assert await replay_dead_letter(conn, letter.id)
        assert not await replay_dead_letter(conn, letter.id)

    assert await world.wait_for_effects(1) == {0: 1}
    assert await dead_letter_count(world.pool) == 0


async def test_a_message_that_is_not_json_goes_straight_to_the_dead_letters(world: World) -> None:
    handler = Flaky()
    consumer = await world.consumer(handler)
    exchange = await world.broker.exchange(world.names.exchange)

    await exchange.publish(aio_pika.Message(b"\x00not json{"), "tests.TestPinged.v1")

    assert await wait_until(lambda: has_dead_letters(world.pool))
    async with world.pool.acquire() as conn:
        [letter] = await list_dead_letters(conn, queue=consumer.queue_name)
    assert letter.reason.startswith("unparseable")
    assert handler.calls == 0


async def test_an_event_of_unknown_shape_goes_straight_to_the_dead_letters(world: World) -> None:
    await world.consumer()
    exchange = await world.broker.exchange(world.names.exchange)
    envelope = Envelope(type="TestPinged", version=1, producer="tests", payload={"n": "many"})

    await exchange.publish(
        aio_pika.Message(envelope.model_dump_json().encode()), envelope.routing_key
    )

    assert await wait_until(lambda: has_dead_letters(world.pool))
    assert await world.effects() == {}


async def test_an_unroutable_publish_raises(world: World) -> None:
    exchange = await world.broker.exchange(world.names.exchange)

    with pytest.raises(PublishError):
        await exchange.publish(aio_pika.Message(b"{}"), "nobody.Listens.v1")


async def test_the_relay_keeps_an_unroutable_event_with_its_error(
    world: World, outbox: Outbox
) -> None:
    await add_pings(world.pool, outbox, range(1))  # no consumer bound yet: nowhere to route

    relay = world.relay()
    assert await wait_until(lambda: _refused(world.pool))
    row = await world.pool.fetchrow("SELECT published_at, last_error, next_attempt_at FROM outbox")
    assert row["published_at"] is None
    assert "PublishError" in row["last_error"] or "NO_ROUTE" in row["last_error"]

    await world.consumer()  # once a queue is bound, the event flows
    await world.pool.execute("UPDATE outbox SET next_attempt_at = now()")
    relay._wake.set()
    assert await world.wait_for_effects(1) == {0: 1}


async def _refused(pool: asyncpg.Pool) -> bool:
    return bool(await pool.fetchval("SELECT bool_or(last_error IS NOT NULL) FROM outbox"))


async def test_one_failing_event_in_a_batch_does_not_hold_back_the_others(
    world: World, outbox: Outbox
) -> None:
    async def fails_on_three(conn: asyncpg.Connection, envelope: Envelope, payload: Pinged) -> None:
        if payload.n == 3:
            raise RuntimeError("three is unlucky")
        await record_effect(conn, envelope, payload)

    await add_pings(world.pool, outbox, range(10))  # all waiting, so they arrive as one batch
    await world.consumer(fails_on_three)
    world.relay()

    effects = await world.wait_for_effects(9)
    assert effects == {n: 1 for n in range(10) if n != 3}
    assert await wait_until(lambda: has_dead_letters(world.pool))
    async with world.pool.acquire() as conn:
        [letter] = await list_dead_letters(conn)
    assert "three is unlucky" in letter.reason


async def test_an_envelope_that_breaks_the_parser_is_dead_lettered_and_its_batch_goes_on(
    world: World, outbox: Outbox
) -> None:
    await add_pings(world.pool, outbox, range(5))
    # A date pydantic accepts but cannot bring to UTC: OverflowError, not a ValidationError.
    poison = (
        '{"type": "TestPinged", "version": 1, "producer": "tests", "payload": {"n": 99},'
        ' "occurred_at": "0001-01-01T00:30:00+01:00"}'
    )
    exchange = await world.broker.exchange(world.names.exchange)
    await world.consumer()
    await exchange.publish(aio_pika.Message(poison.encode()), "tests.TestPinged.v1")
    world.relay()

    assert await world.wait_for_effects(5) == dict.fromkeys(range(5), 1)
    assert await wait_until(lambda: has_dead_letters(world.pool))
    async with world.pool.acquire() as conn:
        [letter] = await list_dead_letters(conn)
    assert letter.reason.startswith("unparseable")


async def test_a_long_refused_event_keeps_its_delay_bounded(world: World, outbox: Outbox) -> None:
    await add_pings(world.pool, outbox, range(1))  # nowhere to route: refused
    await world.pool.execute("UPDATE outbox SET attempts = 5000")

    relay = OutboxRelay(world.pool, world.broker, world.dsn)
    assert await relay.publish_batch() == 0

    delay = await world.pool.fetchval("SELECT next_attempt_at - now() FROM outbox")
    assert delay.total_seconds() <= 300
