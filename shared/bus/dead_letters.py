"""Dead letters: kept in the service's database, listed, and replayed through the outbox."""

from __future__ import annotations

import asyncio
import base64
import logging
import uuid
from datetime import datetime
from typing import Any

import asyncpg
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from pydantic import BaseModel

from shared.bus.outbox import insert_message

log = logging.getLogger(__name__)

REASON_HEADER = "x-dead-reason"
ATTEMPTS_HEADER = "x-dead-attempts"


def dead_letter_headers(reason: str, attempts: int) -> dict[str, Any]:
    return {REASON_HEADER: reason[:2000], ATTEMPTS_HEADER: attempts}


def json_safe(value: Any) -> Any:
    """AMQP header values (bytes, datetimes, nested tables) as JSON values."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _reason(headers: dict[str, Any]) -> str:
    if REASON_HEADER in headers:
        return str(headers[REASON_HEADER])
    # Dead-lettered by the broker itself: the delivery limit was reached (a crash loop).
    deaths = headers.get("x-death") or [{}]
    return f"dead-lettered by the broker: {deaths[0].get('reason', 'unknown')}"


def _event_id(message: AbstractIncomingMessage) -> uuid.UUID | None:
    try:
        return uuid.UUID(message.message_id or "")
    except ValueError:
        return None


class DeadLetterKeeper:
    """Moves what arrives in `<queue>.dead` into the `dead_letters` table."""

    def __init__(self, queue: str, pool: asyncpg.Pool) -> None:
        self.queue = queue
        self.pool = pool
        self._dead_queue: AbstractQueue | None = None
        self._tag: str | None = None

    @property
    def is_running(self) -> bool:
        return self._tag is not None

    async def start(self, dead_queue: AbstractQueue) -> None:
        self._dead_queue = dead_queue
        self._tag = await dead_queue.consume(self._keep)

    async def stop(self) -> None:
        if self._dead_queue is not None and self._tag is not None:
            await self._dead_queue.cancel(self._tag)
            self._tag = None

    async def _keep(self, message: AbstractIncomingMessage) -> None:
        headers = json_safe(dict(message.headers or {}))
        try:
            async with self.pool.acquire() as conn:
                await conn.execute(
                    """INSERT INTO dead_letters (queue, event_id, event_type, body, headers,
                                                 reason, attempts)
                       VALUES ($1, $2, $3, $4, $5, $6, $7)""",
                    self.queue,
                    _event_id(message),
                    message.type,
                    message.body,
                    headers,
                    _reason(headers),
                    int(headers.get(ATTEMPTS_HEADER, 0)),
                )
        except Exception:
            log.exception("could not keep a dead letter; it stays in the queue")
            await asyncio.sleep(1)  # no hot loop while the database is away
            await message.nack(requeue=True)
            return
        await message.ack()


class DeadLetter(BaseModel):
    id: int
    queue: str
    event_id: uuid.UUID | None
    event_type: str | None
    reason: str
    attempts: int
    dead_at: datetime
    replayed_at: datetime | None
    body: str


def _as_dead_letter(row: asyncpg.Record) -> DeadLetter:
    return DeadLetter(**{**dict(row), "body": bytes(row["body"]).decode(errors="replace")})


async def list_dead_letters(
    conn: asyncpg.Connection,
    *,
    queue: str | None = None,
    include_replayed: bool = False,
    limit: int = 100,
) -> list[DeadLetter]:
    rows = await conn.fetch(
        """SELECT id, queue, event_id, event_type, reason, attempts, dead_at, replayed_at, body
           FROM dead_letters
           WHERE ($1::text IS NULL OR queue = $1) AND ($2 OR replayed_at IS NULL)
           ORDER BY id LIMIT $3""",
        queue,
        include_replayed,
        limit,
    )
    return [_as_dead_letter(row) for row in rows]


async def replay_dead_letter(conn: asyncpg.Connection, dead_letter_id: int) -> bool:
    """Send a dead letter back to its queue through the outbox; False if there is none waiting.

    The consumer's inbox still guards it: a replayed event that was handled has no second effect.
    """
    row = await conn.fetchrow(
        """UPDATE dead_letters SET replayed_at = now()
           WHERE id = $1 AND replayed_at IS NULL
           RETURNING queue, event_id, event_type, body, headers""",
        dead_letter_id,
    )
    if row is None:
        return False
    headers = {key: value for key, value in row["headers"].items() if not key.startswith("x-")}
    await insert_message(
        conn,
        event_id=row["event_id"] or uuid.uuid4(),
        exchange="",
        routing_key=row["queue"],
        event_type=row["event_type"],
        correlation_id=None,
        body=bytes(row["body"]),
        headers={**headers, "x-replayed-from": dead_letter_id},
    )
    return True
