"""Event bus benchmark: the outbox path next to a bare aio-pika loop, measured in one run.

- outbox path: writers commit events into a producer's outbox; its relay publishes them with
  confirms; a consumer in another process (another service, with its own database) takes them
  through its inbox and commits the handler's transaction.
- bare loop: the same messages through the same kind of exchange and queue, published with
  pipelined confirms; a consumer in another process acks each. What separates the two is the
  outbox, the relay and the inbox: the figure that matters.

Producer and consumer run as separate processes, as two services do. Each side is measured at
full speed (throughput, with the backlog's latency) and at a fixed rate (latency, p50/p99).
Latency runs from the write (outbox insert, or publish) to the handler's commit (or the ack).

    python benchmarks/bus.py [--events 5000] [--rate 500] [--seconds 10]

Uses the local PostgreSQL and RabbitMQ (TEST_POSTGRES_DSN, TEST_AMQP_URL) only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import aio_pika
import asyncpg
import uvloop
from aio_pika.abc import AbstractIncomingMessage

from shared.bus.broker import Broker
from shared.bus.consumer import (
    BROKER_DELIVERY_LIMIT,
    EventConsumer,
    Subscription,
    quorum_arguments,
)
from shared.bus.outbox import Outbox
from shared.bus.relay import OutboxRelay
from shared.db import SHARED_MIGRATIONS, create_pool, migrate
from shared.events import Envelope, EventPayload, event
from shared.testing.plugin import create_database, drop_database

POSTGRES = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
PIPELINE = 200  # publishes in flight at once in the bare loop, as in the relay's batch


@event("BenchTicked")
class Ticked(EventPayload):
    sent_at: float


@dataclass(frozen=True)
class Figures:
    rate: float
    p50_ms: float
    p99_ms: float

    def line(self, name: str) -> str:
        return (
            f"{name:<26} {self.rate:>9.0f} ev/s"
            f"   p50 {self.p50_ms:7.2f} ms   p99 {self.p99_ms:7.2f} ms"
        )


def figures(count: int, elapsed: float, latencies: list[float]) -> Figures:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return Figures(count / elapsed, statistics.median(ordered) * 1000, p99 * 1000)


# --- the consuming process --------------------------------------------------------------------


@dataclass
class Arrivals:
    expected: int = 0
    latencies: list[float] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def arrived(self, sent_at: float) -> None:
        self.latencies.append(time.time() - sent_at)
        if len(self.latencies) >= self.expected:
            self.done.set()


class TimedConsumer(EventConsumer):
    """Records each event's latency once its handler's transaction has committed."""

    arrivals: Arrivals

    async def _process(self, messages: list[AbstractIncomingMessage]) -> None:
        await super()._process(messages)
        for message in messages:
            self.arrivals.arrived(json.loads(message.body)["payload"]["sent_at"])


async def handle_tick(conn: asyncpg.Connection, envelope: Envelope, payload: Ticked) -> None:
    await conn.execute("SELECT 1")  # stands for the handler's effect, in the inbox transaction


async def serve_rounds(pipe: Connection, arrivals: Arrivals) -> None:
    """Per round: take the expected count, say ready, send back the latencies when done."""
    while (expected := await asyncio.to_thread(pipe.recv)) is not None:
        arrivals.expected, arrivals.latencies, arrivals.done = expected, [], asyncio.Event()
        pipe.send("ready")
        await arrivals.done.wait()
        pipe.send(arrivals.latencies)


async def consume_outbox(pipe: Connection, exchange: str, queue: str) -> None:
    dsn = await create_database(POSTGRES)
    pool = await create_pool(dsn, min_size=4, max_size=10)
    async with pool.acquire() as conn:
        await migrate(conn, "shared", SHARED_MIGRATIONS)
    broker = Broker(AMQP, exchange)
    await broker.connect()
    consumer = TimedConsumer(
        Subscription(queue, {Ticked: handle_tick}),
        pool=pool,
        broker=broker,
        retry_delays_s=(1.0,),
    )
    consumer.arrivals = Arrivals()
    await consumer.start()
    pipe.send("started")
    await serve_rounds(pipe, consumer.arrivals)
    await consumer.stop()
    channel = await broker.connection.channel()
    for name in consumer.queue_names():
        await channel.queue_delete(name)
    await broker.close()
    await pool.close()
    await drop_database(POSTGRES, dsn)


async def consume_bare(pipe: Connection, exchange_name: str, queue_name: str) -> None:
    """The same queue as the outbox path's consumer (arguments, binding), acking each message."""
    connection = await aio_pika.connect_robust(AMQP)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=64)
        exchange = await channel.declare_exchange(
            exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(
            queue_name, durable=True, arguments=main_queue_arguments(queue_name)
        )
        await queue.bind(exchange, "*.BenchTicked.v1")
        arrivals = Arrivals()

        async def on_message(message: AbstractIncomingMessage) -> None:
            arrivals.arrived(json.loads(message.body)["payload"]["sent_at"])
            await message.ack()

        await queue.consume(on_message)
        pipe.send("started")
        await serve_rounds(pipe, arrivals)
        await queue.delete(if_unused=False, if_empty=False)
        await exchange.delete()


def main_queue_arguments(queue_name: str) -> dict[str, object]:
    return quorum_arguments(
        **{
            "x-delivery-limit": BROKER_DELIVERY_LIMIT,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": f"{queue_name}.dead",
        }
    )


def consumer_process(pipe: Connection, mode: str, *names: str) -> None:
    side = consume_outbox(pipe, *names) if mode == "outbox" else consume_bare(pipe, *names)
    uvloop.run(side)


@contextlib.contextmanager
def consuming(mode: str, *names: str) -> Iterator[Connection]:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=consumer_process, args=(child, mode, *names)
    )
    process.start()
    assert parent.recv() == "started"
    try:
        yield parent
    finally:
        parent.send(None)
        process.join(60)


async def measured(
    pipe: Connection, expected: int, send_all: Callable[[], Awaitable[int]]
) -> Figures:
    pipe.send(expected)
    assert await asyncio.to_thread(pipe.recv) == "ready"
    started = time.perf_counter()
    sent = await send_all()
    latencies: list[float] = await asyncio.to_thread(pipe.recv)
    return figures(sent, time.perf_counter() - started, latencies)


async def paced(rate: float, seconds: float, send: Callable[[], Awaitable[None]]) -> int:
    """Call `send` `rate` times a second for `seconds`; returns how many were sent."""
    started = time.perf_counter()
    total = int(rate * seconds)
    for sent in range(total):
        delay = started + sent / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await send()
    return total


# --- the producing side -----------------------------------------------------------------------


async def bare_loop(args: argparse.Namespace) -> tuple[Figures, Figures]:
    """The same messages (envelope, properties, persistent, confirmed, mandatory) through the
    same exchange and queue kind, without the outbox, the relay and the inbox."""
    tag = uuid.uuid4().hex[:8]
    exchange_name, queue = f"bench.bare-events.{tag}", f"bench.bare.{tag}"
    connection = await aio_pika.connect_robust(AMQP)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.declare_exchange(
            exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
        )

        async def publish() -> None:
            envelope = Envelope.wrap(Ticked(sent_at=time.time()), producer="bench")
            message = aio_pika.Message(
                envelope.model_dump_json().encode(),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=str(envelope.event_id),
                type=envelope.type,
                app_id="bench",
                headers={"producer": "bench", "event_version": 1},
            )
            await exchange.publish(message, envelope.routing_key, mandatory=True)

        async def full_speed() -> int:
            for offset in range(0, args.events, PIPELINE):
                count = min(PIPELINE, args.events - offset)
                await asyncio.gather(*(publish() for _ in range(count)))
            return int(args.events)

        with consuming("bare", exchange_name, queue) as pipe:
            throughput = await measured(pipe, args.events, full_speed)
            expected = int(args.rate * args.seconds)
            at_rate = await measured(
                pipe, expected, lambda: paced(args.rate, args.seconds, publish)
            )
    return throughput, at_rate


@contextlib.asynccontextmanager
async def producer(exchange: str) -> AsyncIterator[tuple[asyncpg.Pool, Outbox]]:
    dsn = await create_database(POSTGRES)
    pool = await create_pool(dsn, min_size=4, max_size=12)
    async with pool.acquire() as conn:
        await migrate(conn, "shared", SHARED_MIGRATIONS)
    broker = Broker(AMQP, exchange)
    await broker.connect()
    relaying = asyncio.create_task(OutboxRelay(pool, broker, dsn).run())
    try:
        yield pool, Outbox("bench", exchange)
    finally:
        relaying.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relaying
        await (await broker.connection.channel()).exchange_delete(exchange)
        await broker.close()
        await pool.close()
        await drop_database(POSTGRES, dsn)


async def outbox_path(args: argparse.Namespace) -> tuple[Figures, Figures]:
    tag = uuid.uuid4().hex[:8]
    exchange, queue = f"bench.events.{tag}", f"bench.{tag}"
    with consuming("outbox", exchange, queue) as pipe:
        async with producer(exchange) as (pool, outbox):

            async def write(count: int) -> None:
                async with pool.acquire() as conn, conn.transaction():
                    for _ in range(count):
                        await outbox.add(conn, Ticked(sent_at=time.time()))

            async def writer(total: int) -> None:
                for _ in range(0, total, 10):
                    await write(10)

            async def full_speed() -> int:
                # Ten request handlers at once, each committing ten events a transaction.
                await asyncio.gather(*(writer(args.events // 10) for _ in range(10)))
                return int(args.events)

            throughput = await measured(pipe, args.events, full_speed)
            expected = int(args.rate * args.seconds)
            at_rate = await measured(
                pipe, expected, lambda: paced(args.rate, args.seconds, lambda: write(1))
            )
    return throughput, at_rate


async def main(args: argparse.Namespace) -> None:
    """Rounds alternate the two paths (this machine is noisy); the ratio is the median's."""
    rounds = [(await bare_loop(args), await outbox_path(args)) for _ in range(args.rounds)]
    print(f"{args.events} events at full speed, then {args.rate:.0f}/s for {args.seconds:.0f} s")
    for number, ((bare_max, bare_rate), (outbox_max, outbox_rate)) in enumerate(rounds, 1):
        print(f"round {number}")
        print(bare_max.line("  bare aio-pika, full speed"))
        print(outbox_max.line("  outbox path, full speed"))
        print(bare_rate.line(f"  bare aio-pika, {args.rate:.0f}/s"))
        print(outbox_rate.line(f"  outbox path, {args.rate:.0f}/s"))
    bare = statistics.median(bare.rate for (bare, _), _ in rounds)
    outbox = statistics.median(outbox.rate for _, (outbox, _) in rounds)
    print(
        f"median full speed: bare {bare:.0f} ev/s, outbox {outbox:.0f} ev/s, "
        f"ratio {outbox / bare:.0%}"
    )
    p99 = statistics.median(rate.p99_ms for _, (_, rate) in rounds)
    print(f"median p99 at {args.rate:.0f}/s through the outbox path: {p99:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Event bus benchmark")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    uvloop.run(main(parser.parse_args()))
