"""The outbox relay: publishes committed outbox rows, with confirms, and marks them sent.

A crash between the broker's confirm and the mark publishes the row again on the next pass: a
duplicate, which the consumers' inbox absorbs, never a loss. Several relays share one table by
claiming rows with FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import aio_pika
import asyncpg
from aio_pika.abc import AbstractExchange
from aio_pika.exceptions import DeliveryError, PublishError

from shared.bus.broker import BROKER_UNREACHABLE, Broker
from shared.db import DATABASE_UNREACHABLE, NotifyListener
from shared.metrics import OUTBOX_FAILURES, OUTBOX_PUBLISHED
from shared.outages import BROKER, DATABASE

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "outbox"
MAX_ROW_BACKOFF_S = 300
MAX_BROKER_BACKOFF_S = 10.0
PUBLISH_TIMEOUT_S = 10.0

CLAIM_BATCH = """
    SELECT id, event_id, exchange, routing_key, event_type, correlation_id, body, headers
    FROM outbox
    WHERE published_at IS NULL AND next_attempt_at <= now()
    ORDER BY id
    LIMIT $1
    FOR UPDATE SKIP LOCKED
"""


class BrokerUnavailable(Exception):
    pass


def _report(error: Exception) -> None:
    """An outage is reported once by its tracker; anything else is the relay's own trouble."""
    # Broker first: its connection errors are OSErrors too.
    if isinstance(error, (*BROKER_UNREACHABLE, BrokerUnavailable)):
        BROKER.failed(error)
    elif isinstance(error, DATABASE_UNREACHABLE):
        DATABASE.failed(error)
    else:
        log.warning("outbox relay paused", extra={"error": repr(error)})


def to_message(row: asyncpg.Record) -> aio_pika.Message:
    headers: dict[str, Any] = row["headers"]
    return aio_pika.Message(
        row["body"],
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=str(row["event_id"]),
        correlation_id=row["correlation_id"],
        type=row["event_type"],
        app_id=headers.get("producer"),
        headers=headers,
    )


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        broker: Broker,
        listen_dsn: str,
        *,
        batch_size: int = 200,
        poll_interval_s: float = 1.0,
    ) -> None:
        self.pool = pool
        self.broker = broker
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()
        self._listener = NotifyListener(listen_dsn, NOTIFY_CHANNEL, self._on_notify)

    async def run(self) -> None:
        """Publish until cancelled; back off while the broker is down, resume when it returns."""
        backoff = 0.1
        try:
            while True:
                await self._listener.ensure()
                self._wake.clear()
                try:
                    published = await self.publish_batch()
                    backoff = 0.1
                    DATABASE.answered()
                except Exception as exc:  # the relay must outlive any outage
                    _report(exc)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, MAX_BROKER_BACKOFF_S)
                    continue
                if published < self.batch_size:
                    await self._wait_for_work()
        finally:
            self._listener.close()

    async def publish_batch(self) -> int:
        """Claim up to `batch_size` due rows, publish them together, mark what was confirmed."""
        async with self.pool.acquire() as conn, conn.transaction():
            # Losing this transaction's marks in a crash only publishes the rows again (a
            # duplicate the inboxes absorb), so its commit need not wait for the disk.
            await conn.execute("SET LOCAL synchronous_commit = off")
            rows = await conn.fetch(CLAIM_BATCH, self.batch_size)
            if not rows:
                return 0
            exchanges = {
                name: await self.broker.exchange(name) for name in {r["exchange"] for r in rows}
            }
            # One deadline for the whole batch rather than a timer per message.
            try:
                async with asyncio.timeout(PUBLISH_TIMEOUT_S):
                    outcomes = await asyncio.gather(
                        *(_publish(exchanges[row["exchange"]], row) for row in rows),
                        return_exceptions=True,
                    )
            except TimeoutError as exc:
                raise BrokerUnavailable("no confirm in time") from exc
            sent = [
                row["id"] for row, outcome in zip(rows, outcomes, strict=True) if outcome is None
            ]
            refused = [
                (row["id"], repr(outcome))
                for row, outcome in zip(rows, outcomes, strict=True)
                if isinstance(outcome, DeliveryError | PublishError)
            ]
            await _mark_sent(conn, sent)
            await _mark_refused(conn, refused)
        OUTBOX_PUBLISHED.inc(len(sent))
        OUTBOX_FAILURES.inc(len(refused))
        broken = len(rows) - len(sent) - len(refused)
        if broken:
            raise BrokerUnavailable(f"{broken} of {len(rows)} messages not confirmed")
        if sent:
            BROKER.answered()
        return len(sent)

    async def _wait_for_work(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.poll_interval_s)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()


async def _publish(exchange: AbstractExchange, row: asyncpg.Record) -> None:
    await exchange.publish(to_message(row), row["routing_key"], mandatory=True)


async def _mark_sent(conn: asyncpg.Connection, ids: list[int]) -> None:
    if ids:
        await conn.execute(
            "UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1)",
            ids,
        )


async def _mark_refused(conn: asyncpg.Connection, failures: list[tuple[int, str]]) -> None:
    """An unroutable or nacked message is an error: recorded, and tried again later."""
    for row_id, error in failures:
        log.error(
            "outbox message refused by the broker", extra={"outbox_id": row_id, "error": error}
        )
    if failures:
        await conn.executemany(
            """UPDATE outbox
               SET attempts = attempts + 1, last_error = $2,
                   next_attempt_at = now()
                       + least(power(2, least(attempts, 16)), $3) * interval '1 second'
               WHERE id = $1""",
            [(row_id, error, MAX_ROW_BACKOFF_S) for row_id, error in failures],
        )
