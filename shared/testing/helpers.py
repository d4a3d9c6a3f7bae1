"""Small helpers every test suite needs: waiting for an outcome, and publishing an event the
way a producer's relay would."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aio_pika

from shared.bus.broker import Broker
from shared.events import Envelope, EventPayload


async def wait_until(
    condition: Callable[[], Awaitable[bool]], timeout: float = 20.0, interval: float = 0.05
) -> bool:
    """Poll until `condition` holds or the deadline passes (never a fixed sleep); the last
    answer is returned, so `assert await wait_until(...)` fails when time ran out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await condition():
            return True
        await asyncio.sleep(interval)
    return await condition()


async def publish_envelope(broker: Broker, envelope: Envelope) -> None:
    """Publish to the broker's events exchange, as the relay does (persistent, mandatory)."""
    exchange = await broker.exchange(broker.events_exchange)
    message = aio_pika.Message(
        envelope.model_dump_json().encode(),
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=str(envelope.event_id),
        type=envelope.type,
    )
    await exchange.publish(message, envelope.routing_key)


async def publish_event(broker: Broker, payload: EventPayload, producer: str = "tests") -> Envelope:
    envelope = Envelope.wrap(payload, producer=producer)
    await publish_envelope(broker, envelope)
    return envelope
