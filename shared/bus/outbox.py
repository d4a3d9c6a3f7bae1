"""Producing events: an outbox row written in the caller's transaction."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from shared.events import Envelope, EventPayload
from shared.logging import current_correlation_id


class Outbox:
    """Writes events of one producer into the outbox table; the relay publishes them."""

    def __init__(self, producer: str, exchange: str) -> None:
        self.producer = producer
        self.exchange = exchange

    async def add(self, conn: asyncpg.Connection, payload: EventPayload) -> Envelope:
        """Record `payload` as an event; it is published only if the transaction commits."""
        envelope = Envelope.wrap(
            payload, producer=self.producer, correlation_id=current_correlation_id()
        )
        await insert_message(
            conn,
            event_id=envelope.event_id,
            exchange=self.exchange,
            routing_key=envelope.routing_key,
            event_type=envelope.type,
            correlation_id=envelope.correlation_id,
            body=envelope.model_dump_json().encode(),
            headers={"producer": self.producer, "event_version": envelope.version},
        )
        return envelope


async def insert_message(
    conn: asyncpg.Connection,
    *,
    event_id: uuid.UUID,
    exchange: str,
    routing_key: str,
    event_type: str | None,
    correlation_id: str | None,
    body: bytes,
    headers: dict[str, Any],
) -> None:
    await conn.execute(
        """INSERT INTO outbox (event_id, exchange, routing_key, event_type, correlation_id,
                               body, headers)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        event_id,
        exchange,
        routing_key,
        event_type,
        correlation_id,
        body,
        headers,
    )


async def pending_count(conn: asyncpg.Connection) -> int:
    count: int = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    return count
