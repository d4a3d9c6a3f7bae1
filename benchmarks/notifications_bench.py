"""Benchmark: emails per second from events on the bus to messages accepted by an SMTP server,
the event-to-delivery delay, and a bare aiosmtplib loop to the same server in the same run.

    TEST_POSTGRES_DSN=postgresql://postgres@127.0.0.1:5432/postgres \\
    TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5672/ \\
    .venv/bin/python benchmarks/notifications_bench.py [--events 1000] [--rounds 3] [--rate 50]

The SMTP server (aiosmtpd) runs in its own process and stamps each message on acceptance.
1. Throughput: a backlog of events is published while the service is stopped; the service is
   started and the clock runs until the last email is accepted.
2. Delay: events published at a steady rate below that throughput; event-to-acceptance delay.
3. Bare loop: the same number of messages, built the same way, sent by aiosmtplib over the same
   number of connections and the same batch per connection, without the service around it;
   alternated with 1 for `--rounds` rounds, and the ratio taken per round.
Figures only: nothing is asserted; the machine is shared and noisy, so compare the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

import aio_pika
import aiosmtplib
import uvloop
from aiohttp import web

from notifications.app import build_app
from notifications.domain.mail import Outgoing, Recipient, build_message, mailbox
from notifications.settings import Settings
from shared.bus.broker import Broker
from shared.events import Envelope
from shared.events.catalogue import AccountRegistered, Adresse, Civilite, Identite
from shared.testing.infrastructure import free_port
from shared.testing.plugin import create_database, drop_database
from shared.testing.tokens import TestKeys

SENDER = "ne-pas-repondre@cyclades.example.fr"


# --- the SMTP server, in its own process -----------------------------------------------------


def run_sink(port: int, control: Connection) -> None:
    from aiosmtpd.controller import Controller

    accepted: dict[str, float] = {}

    class Stamp:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            now = time.monotonic()
            for recipient in envelope.rcpt_tos:
                accepted[recipient] = now
            return "250 Message accepted"

    controller = Controller(Stamp(), hostname="127.0.0.1", port=port)
    controller.start()
    control.send("ready")
    while (command := control.recv()) != "stop":
        if command == "count":
            control.send(len(accepted))
        elif command == "take":
            control.send(dict(accepted))
            accepted.clear()
    controller.stop()


class Sink:
    def __init__(self) -> None:
        self.port = free_port()
        self._control, child = multiprocessing.get_context("spawn").Pipe()
        self._process = multiprocessing.get_context("spawn").Process(
            target=run_sink, args=(self.port, child), daemon=True
        )

    def start(self) -> None:
        self._process.start()
        assert self._control.recv() == "ready"

    def ask(self, command: str) -> Any:
        self._control.send(command)
        return self._control.recv()

    async def wait_for(self, count: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            seen = self.ask("count")
            if seen >= count:
                break
            await asyncio.sleep(0.02)
        return int(seen)

    def last_accepted(self) -> float:
        """The acceptance instant of the last message; forgets them all."""
        accepted: dict[str, float] = self.ask("take")
        return max(accepted.values())

    def stop(self) -> None:
        self._control.send("stop")
        self._process.join(5)


# --- events ---------------------------------------------------------------------------------


def registered(address: str) -> Envelope:
    identite = Identite(
        civilite=Civilite.MME,
        nom_naissance="Lefèvre-d'Aubigné",
        prenoms="Hélène",
        date_naissance=date(2001, 4, 12),
        pays_naissance="France",
        nationalite="française",
        adresse=Adresse(ligne1="1 rue", code_postal="25000", commune="Besançon", pays="France"),
    )
    payload = AccountRegistered(
        account_id=uuid.uuid4(),
        email=address,
        identite=identite,
        activation_token=uuid.uuid4().hex,
        activation_expires_at=datetime.now(UTC) + timedelta(hours=48),
    )
    return Envelope.wrap(payload, producer="accounts")


async def publish(broker: Broker, exchange_name: str, envelopes: list[Envelope]) -> float:
    """Publish with confirms awaited together; return the instant they were all confirmed."""
    exchange = await broker.exchange(exchange_name)
    await asyncio.gather(
        *(
            exchange.publish(
                aio_pika.Message(
                    envelope.model_dump_json().encode(),
                    message_id=str(envelope.event_id),
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                envelope.routing_key,
            )
            for envelope in envelopes
        )
    )
    return time.monotonic()


# --- the service ----------------------------------------------------------------------------


def service_settings(arguments: argparse.Namespace, dsn: str, tag: str, port: int) -> Settings:
    keys = TestKeys()
    return Settings(
        environment="test",
        log_level="WARNING",
        database_url=dsn,
        amqp_url=arguments.amqp_url,
        events_exchange=f"bench-events.{tag}",
        queue_prefix=f"bench.{tag}",
        jwt_jwks=json.dumps(keys.jwks),
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_max_connections=arguments.connections,
        smtp_max_messages_per_second=0,
        sender_batch_size=arguments.batch,
        sender_poll_interval_s=0.5,
        db_pool_max=20,
    )


async def start(settings: Settings) -> web.AppRunner:
    runner = web.AppRunner(build_app(settings))
    await runner.setup()
    return runner


async def throughput(settings: Settings, broker: Broker, sink: Sink, count: int) -> float:
    """A backlog published while the service is down, drained once it is up: emails/s."""
    await (await start(settings)).cleanup()  # declares the queue, so the backlog waits in it
    envelopes = [registered(f"backlog-{n}@example.org") for n in range(count)]
    for chunk in range(0, count, 500):
        await publish(broker, settings.events_exchange, envelopes[chunk : chunk + 500])
    started = time.monotonic()
    runner = await start(settings)
    delivered = await sink.wait_for(count, timeout=600)
    elapsed = sink.last_accepted() - started
    await runner.cleanup()
    return delivered / elapsed


async def delays(
    settings: Settings, broker: Broker, sink: Sink, count: int, rate: float
) -> list[float]:
    """Events published one by one at `rate` per second: the event-to-acceptance delays (s)."""
    runner = await start(settings)
    published: dict[str, float] = {}
    interval = 1.0 / rate
    next_at = time.monotonic()
    for n in range(count):
        address = f"steady-{n}@example.org"
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        sent_at = time.monotonic()
        await publish(broker, settings.events_exchange, [registered(address)])
        published[address] = sent_at
        next_at += interval
    await sink.wait_for(count, timeout=120)
    accepted: dict[str, float] = sink.ask("take")
    await runner.cleanup()
    return sorted(accepted[address] - published[address] for address in published)


# --- the bare loop ---------------------------------------------------------------------------


def bare_message(n: int) -> Any:
    outgoing = Outgoing(
        id=n,
        recipient=Recipient(f"bare-{n}@example.org", "Hélène Lefèvre-d'Aubigné"),
        subject="[CYCLADES] Activer mon compte",
        text="Bonjour Hélène Lefèvre-d'Aubigné,\n\n" + "Vous venez de créer un compte.\n" * 20,
        html="<p>Bonjour Hélène Lefèvre-d&#39;Aubigné,</p>" + "<p>Vous venez…</p>" * 20,
        message_id=f"<{uuid.uuid4().hex}@cyclades.example.fr>",
        created_at=datetime.now(UTC),
        attempts=0,
    )
    return build_message(outgoing, mailbox(SENDER, "CYCLADES"))


async def bare_loop(port: int, sink: Sink, count: int, connections: int, batch: int) -> float:
    """aiosmtplib alone: `connections` tasks, a new connection per `batch` messages."""
    numbers = iter(range(count))

    async def worker() -> None:
        while chunk := [n for _, n in zip(range(batch), numbers, strict=False)]:
            async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False) as smtp:
                for n in chunk:
                    await smtp.send_message(
                        bare_message(n), sender=SENDER, recipients=[f"bare-{n}@example.org"]
                    )

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(connections)))
    delivered = await sink.wait_for(count, timeout=60)
    elapsed = sink.last_accepted() - started
    return delivered / elapsed


# --- the run --------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, round(fraction * (len(values) - 1)))]


async def main(arguments: argparse.Namespace) -> None:
    sink = Sink()
    sink.start()
    tag = uuid.uuid4().hex[:8]
    dsn = await create_database(arguments.postgres_dsn)
    settings = service_settings(arguments, dsn, tag, sink.port)
    broker = Broker(arguments.amqp_url, settings.events_exchange)
    await broker.connect()
    rounds: list[tuple[float, float]] = []
    try:
        for _ in range(arguments.rounds):
            # Alternated, so that a burst of load from elsewhere hits both sides alike.
            bare = await bare_loop(
                sink.port, sink, arguments.events, arguments.connections, arguments.batch
            )
            rounds.append((await throughput(settings, broker, sink, arguments.events), bare))
        waits = await delays(settings, broker, sink, arguments.steady_events, arguments.rate)
    finally:
        await cleanup(broker, settings, arguments.postgres_dsn, dsn)
        sink.stop()
    report(arguments, rounds, waits)


async def cleanup(broker: Broker, settings: Settings, server_dsn: str, dsn: str) -> None:
    channel = await broker.connection.channel()
    queue = settings.queue("emails")
    for name in [
        queue,
        f"{queue}.dead",
        *(f"{queue}.retry.{round(d * 1000)}" for d in settings.consumer_retry_delays_s),
    ]:
        await channel.queue_delete(name)
    await channel.exchange_delete(settings.events_exchange)
    await broker.close()
    await drop_database(server_dsn, dsn)


def report(
    arguments: argparse.Namespace, rounds: list[tuple[float, float]], waits: list[float]
) -> None:
    print(
        f"{arguments.events} emails per round, connections={arguments.connections}, "
        f"batch/connection={arguments.batch}, uvloop"
    )
    print("round  service (bus -> SMTP accepted)  bare aiosmtplib loop   ratio")
    for number, (service, bare) in enumerate(rounds, 1):
        print(f"{number:5}  {service:21.1f} emails/s  {bare:11.1f} emails/s  {service / bare:6.2f}")
    ratio = statistics.median(service / bare for service, bare in rounds)
    print(
        f"median {statistics.median(s for s, _ in rounds):21.1f} emails/s  "
        f"{statistics.median(b for _, b in rounds):11.1f} emails/s  {ratio:6.2f}"
    )
    print(
        f"event -> delivery at {arguments.rate:g}/s ({len(waits)} events): "
        f"p50 {statistics.median(waits) * 1000:.1f} ms, "
        f"p99 {percentile(waits, 0.99) * 1000:.1f} ms, max {waits[-1] * 1000:.1f} ms"
    )


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1000, help="backlog size per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steady-events", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50.0, help="steady events per second")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument(
        "--postgres-dsn",
        default=os.environ.get(
            "TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--amqp-url", default=os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    )
    return parser.parse_args()


if __name__ == "__main__":
    uvloop.run(main(parse()))
