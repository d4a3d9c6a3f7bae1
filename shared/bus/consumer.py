"""Consuming events: a durable quorum queue, an inbox, retries with growing delays, dead letters.

For a queue `Q` the consumer declares:
- `Q`, bound to the events exchange by `*.<EventType>.v<version>` for each handled event;
- `Q.retry.<ms>`, one per delay: a failed message waits there, then its TTL sends it back to `Q`;
- `Q.dead`, where a message ends when it cannot be parsed or has failed every attempt. A keeper
  moves what arrives there into the `dead_letters` table, to be listed and replayed.
All are quorum queues with at-least-once dead-lettering, so a broker crash loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aio_pika
import asyncpg
from aio_pika.abc import (
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustChannel,
)

from shared.bus.broker import BROKER_UNREACHABLE, Broker
from shared.bus.dead_letters import DeadLetterKeeper, dead_letter_headers
from shared.db import DATABASE_UNREACHABLE, in_transaction
from shared.events import Envelope, EventPayload
from shared.logging import set_correlation_id
from shared.metrics import EVENTS_HANDLED
from shared.outages import BROKER, DATABASE

log = logging.getLogger(__name__)

Handler = Callable[[asyncpg.Connection, Envelope, Any], Awaitable[None]]
ATTEMPT_HEADER = "x-attempt"
# Redeliveries of one message (a crash, a lost channel) before the broker dead-letters it.
BROKER_DELIVERY_LIMIT = 20
# Stopping: each broker step gets this long, the messages in hand this long to finish.
STOP_STEP_S = 5.0
STOP_GRACE_S = 10.0
MAX_OUTAGE_PAUSE_S = 10.0


@dataclass(frozen=True)
class Subscription:
    """What a queue handles: a handler per payload model (event type and version)."""

    queue: str
    handlers: Mapping[type[EventPayload], Handler]

    def binding_keys(self) -> list[str]:
        return [f"*.{model.event_type}.v{model.event_version}" for model in self.handlers]

    def find(self, envelope: Envelope) -> tuple[type[EventPayload], Handler] | None:
        for model, handler in self.handlers.items():
            if (model.event_type, model.event_version) == (envelope.type, envelope.version):
                return model, handler
        return None


def quorum_arguments(**extra: Any) -> dict[str, Any]:
    return {
        "x-queue-type": "quorum",
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
        **extra,
    }


@dataclass(frozen=True)
class Delivery:
    """A parsed message and the handler it goes to."""

    message: AbstractIncomingMessage
    envelope: Envelope
    payload: EventPayload
    handler: Handler


class EventConsumer:
    """Takes a queue's messages in small batches: each batch is one transaction that records
    the events in the inbox and runs their handlers, then the messages are acked. Batching
    saves round trips under load; when a batch fails, its events are taken one by one, so only
    the failing event is retried."""

    def __init__(
        self,
        subscription: Subscription,
        *,
        pool: asyncpg.Pool,
        broker: Broker,
        retry_delays_s: tuple[float, ...],
        prefetch: int = 64,
        workers: int = 2,
        batch_max: int = 32,
    ) -> None:
        self.subscription = subscription
        self.pool = pool
        self.broker = broker
        self.retry_delays_ms = [max(1, round(delay * 1000)) for delay in retry_delays_s]
        self.prefetch = prefetch
        self.workers = workers
        self.batch_max = batch_max
        self._channel: AbstractRobustChannel | None = None
        self._queue: AbstractQueue | None = None
        self._consumer_tag: str | None = None
        self._keeper = DeadLetterKeeper(self.queue_name, pool)
        self._received: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        self._worker_tasks: list[asyncio.Task[None]] = []

    @property
    def queue_name(self) -> str:
        return self.subscription.queue

    @property
    def dead_queue_name(self) -> str:
        return f"{self.queue_name}.dead"

    def retry_queue_name(self, delay_ms: int) -> str:
        return f"{self.queue_name}.retry.{delay_ms}"

    def queue_names(self) -> list[str]:
        """Every queue this consumer declares."""
        retries = [self.retry_queue_name(delay_ms) for delay_ms in self.retry_delays_ms]
        return [self.queue_name, self.dead_queue_name, *retries]

    @property
    def is_running(self) -> bool:
        return (
            self._channel is not None
            and not self._channel.is_closed
            and self._keeper.is_running
            and self._consumer_tag is not None
            and all(not task.done() for task in self._worker_tasks)
        )

    async def start(self) -> None:
        channel = await self.broker.connection.channel()
        await channel.set_qos(prefetch_count=self.prefetch)
        self._channel = channel
        await self._declare_topology(channel)
        dead = await channel.declare_queue(
            self.dead_queue_name, durable=True, arguments=quorum_arguments()
        )
        await self._keeper.start(dead)
        self._worker_tasks = [asyncio.create_task(self._work()) for _ in range(self.workers)]
        assert self._queue is not None
        self._consumer_tag = await self._queue.consume(self._received.put)

    async def _declare_topology(self, channel: Any) -> None:
        exchange = await channel.declare_exchange(
            self.broker.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        self._queue = await channel.declare_queue(
            self.queue_name,
            durable=True,
            arguments=quorum_arguments(
                **{
                    "x-delivery-limit": BROKER_DELIVERY_LIMIT,
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": self.dead_queue_name,
                }
            ),
        )
        for key in self.subscription.binding_keys():
            await self._queue.bind(exchange, key)
        for delay_ms in self.retry_delays_ms:
            await channel.declare_queue(
                self.retry_queue_name(delay_ms),
                durable=True,
                arguments=quorum_arguments(
                    **{
                        "x-message-ttl": delay_ms,
                        "x-dead-letter-exchange": "",
                        "x-dead-letter-routing-key": self.queue_name,
                    }
                ),
            )

    async def stop(self) -> None:
        """Take no more messages, finish those in hand (for a while), close the channel.
        Whatever is not settled by then goes back to the queue with the channel."""
        with contextlib.suppress(Exception):
            async with asyncio.timeout(STOP_STEP_S):
                if self._queue is not None and self._consumer_tag is not None:
                    await self._queue.cancel(self._consumer_tag)
        self._consumer_tag = None
        with contextlib.suppress(Exception):
            async with asyncio.timeout(STOP_STEP_S):
                await self._keeper.stop()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(STOP_GRACE_S):
                await self._received.join()
        for task in self._worker_tasks:
            task.cancel()
        await asyncio.gather(*self._worker_tasks, return_exceptions=True)
        if self._channel is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(STOP_STEP_S):
                    await self._channel.close()

    async def _work(self) -> None:
        while True:
            batch = [await self._received.get()]
            while len(batch) < self.batch_max and not self._received.empty():
                batch.append(self._received.get_nowait())
            try:
                await self._process(batch)
            except BROKER_UNREACHABLE as exc:  # the channel comes back with the messages
                BROKER.failed(exc)
                await _give_back(batch)
            except Exception:  # a worker must outlive anything
                log.exception("event batch crashed", extra={"queue": self.queue_name})
                await _give_back(batch)
            finally:
                for _ in batch:
                    self._received.task_done()

    async def _process(self, messages: list[AbstractIncomingMessage]) -> None:
        deliveries = [d for d in [await self._parse(m) for m in messages] if d is not None]
        if len(deliveries) == 1:
            await self._process_one(deliveries[0])
            return
        if not deliveries:
            return
        try:
            first_time = await self._commit(deliveries)
        except Exception:
            for delivery in deliveries:  # one by one, so that only the failing one retries
                await self._process_one(delivery)
            return
        await self._settle(deliveries, first_time)

    async def _process_one(self, delivery: Delivery) -> None:
        try:
            first_time = await self._commit([delivery])
        except Exception as exc:
            await self._handler_failed(delivery, exc)
            return
        await self._settle([delivery], first_time)

    async def _commit(self, deliveries: list[Delivery]) -> int:
        """One transaction for the deliveries. While the database cannot be reached, wait and
        try again, holding the messages: an outage is not the events' fault and must not use
        up their retries (and unacked messages stop the broker sending more)."""
        pause = 0.5
        while True:
            try:
                handled = await in_transaction(
                    self.pool, lambda conn: self._handle_once(conn, deliveries)
                )
            except DATABASE_UNREACHABLE as exc:
                DATABASE.failed(exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_OUTAGE_PAUSE_S)
                continue
            DATABASE.answered()
            return handled

    async def _settle(self, deliveries: list[Delivery], first_time: int) -> None:
        """Ack after the commit. An ack lost with the channel is no failure: the broker sends
        the message again, and the inbox makes that a duplicate with no effect."""
        self._count("handled", first_time)
        self._count("duplicate", len(deliveries) - first_time)
        for delivery in deliveries:
            try:
                await delivery.message.ack()
            except BROKER_UNREACHABLE as exc:
                BROKER.failed(exc)
                return

    async def _parse(self, message: AbstractIncomingMessage) -> Delivery | None:
        """The message as a delivery; one that cannot be parsed goes to the dead letters."""
        try:
            envelope = Envelope.model_validate_json(message.body)
            found = self.subscription.find(envelope)
            if found is None:
                raise LookupError(f"no handler for {envelope.type} v{envelope.version}")
            model, handler = found
            return Delivery(message, envelope, model.model_validate(envelope.payload), handler)
        except Exception as exc:  # not only ValidationError: a date out of range overflows
            await self._send_to_dead_letters(message, f"unparseable: {exc!r}", attempts=0)
            return None

    async def _handle_once(self, conn: asyncpg.Connection, deliveries: list[Delivery]) -> int:
        """Record the events in the inbox and run the handlers of those not seen before.

        Ids are inserted in order so that two batches holding the same events lock them in
        the same order (no deadlock)."""
        unique = {d.envelope.event_id: d.envelope for d in deliveries}
        envelopes = sorted(unique.values(), key=lambda envelope: envelope.event_id)
        first_time = set(
            await conn.fetchval(
                """WITH added AS (
                       INSERT INTO inbox (event_id, handler, event_type)
                       SELECT event_id, $2, event_type
                       FROM unnest($1::uuid[], $3::text[]) AS e(event_id, event_type)
                       ORDER BY event_id
                       ON CONFLICT DO NOTHING
                       RETURNING event_id)
                   SELECT coalesce(array_agg(event_id), '{}') FROM added""",
                [envelope.event_id for envelope in envelopes],
                self.queue_name,
                [envelope.type for envelope in envelopes],
            )
        )
        handled = len(first_time)
        for delivery in deliveries:
            if delivery.envelope.event_id in first_time:
                first_time.discard(delivery.envelope.event_id)  # twice in one batch: once
                set_correlation_id(delivery.envelope.correlation_id)
                await delivery.handler(conn, delivery.envelope, delivery.payload)
        return handled

    async def _handler_failed(self, delivery: Delivery, error: Exception) -> None:
        log.warning(
            "event handler failed",
            extra={"queue": self.queue_name, "event_id": str(delivery.envelope.event_id)},
            exc_info=error,
        )
        await self._retry_later(delivery.message, error)

    def _count(self, outcome: str, count: int) -> None:
        if count:
            EVENTS_HANDLED.labels(self.queue_name, outcome).inc(count)

    async def _retry_later(self, message: AbstractIncomingMessage, error: Exception) -> None:
        attempt = _attempts_so_far(message) + 1
        if attempt > len(self.retry_delays_ms):
            await self._send_to_dead_letters(message, f"failed: {error!r}", attempts=attempt)
            return
        delay_ms = self.retry_delays_ms[attempt - 1]
        await self._forward(
            message,
            self.retry_queue_name(delay_ms),
            {ATTEMPT_HEADER: attempt, "x-last-error": repr(error)[:500]},
        )
        self._count("retried", 1)

    async def _send_to_dead_letters(
        self, message: AbstractIncomingMessage, reason: str, *, attempts: int
    ) -> None:
        log.error("event dead-lettered", extra={"queue": self.queue_name, "reason": reason[:500]})
        await self._forward(message, self.dead_queue_name, dead_letter_headers(reason, attempts))
        self._count("dead", 1)

    async def _forward(
        self, message: AbstractIncomingMessage, queue: str, headers: dict[str, Any]
    ) -> None:
        """Publish a copy to `queue`, confirmed, then ack the original: never both lost.

        If the copy cannot be published, the original is left unacked and comes back when the
        channel is restored."""
        copy = aio_pika.Message(
            message.body,
            headers={**(message.headers or {}), **headers},
            content_type=message.content_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message.message_id or str(uuid.uuid4()),
            correlation_id=message.correlation_id,
            type=message.type,
            app_id=message.app_id,
        )
        try:
            await self.broker.channel.default_exchange.publish(copy, queue, timeout=10)
        except Exception as exc:
            if isinstance(exc, (*BROKER_UNREACHABLE, TimeoutError)):
                BROKER.failed(exc)
            else:
                log.exception("could not forward a failed message", extra={"queue": queue})
            with contextlib.suppress(Exception):  # the channel may be gone: it comes back anyway
                await message.nack(requeue=True)
            return
        await message.ack()


def _attempts_so_far(message: AbstractIncomingMessage) -> int:
    value = (message.headers or {}).get(ATTEMPT_HEADER, 0)
    return value if isinstance(value, int) else 0


async def _give_back(messages: list[AbstractIncomingMessage]) -> None:
    """Messages a crashed batch left unsettled go back to the queue (the broker counts the
    redeliveries and dead-letters a message past its delivery limit)."""
    for message in messages:
        if not message.processed:
            with contextlib.suppress(Exception):
                await message.nack(requeue=True)
