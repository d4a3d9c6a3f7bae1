"""One robust RabbitMQ connection per process, and the channel everything publishes on."""

from __future__ import annotations

import logging
from typing import Any

import aio_pika
from aio_pika.abc import (
    AbstractExchange,
    AbstractRobustChannel,
    AbstractRobustConnection,
    ExchangeType,
)
from aio_pika.exceptions import AMQPConnectionError, ChannelInvalidStateError
from aiormq.exceptions import ChannelClosed

from shared.outages import BROKER

# The broker cannot be reached (down, restarting, the connection or channel lost).
BROKER_UNREACHABLE: tuple[type[BaseException], ...] = (
    AMQPConnectionError,
    ChannelInvalidStateError,
    ChannelClosed,
)

# What aio-pika and aiormq log while a robust connection reconnects, each attempt an ERROR or a
# WARNING (a traceback at times); the Broker reports the outage once instead (shared/outages).
_RECONNECT_NOISE = (
    "Connection attempt to",
    "Reconnect attempt failed",
    "error when creating transport",
    "Unexpected connection close from remote",
    "Callback %r error",
    "Connection to %s closed",
    "Reject is not sent since channel is closed",
    "Cancelling cause reader exited abnormally",
)


class _QuietReconnects(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return (
            not (isinstance(record.msg, str) and record.msg.startswith(_RECONNECT_NOISE))
            or record.levelno >= logging.CRITICAL
        )


def quiet_reconnect_logs() -> None:
    """A filter on a logger sees only the records logged on it, so each is named."""
    for name in (
        "aio_pika.robust_connection",
        "aio_pika.connection",
        "aio_pika.tools",
        "aio_pika.message",
        "aiormq.connection",
    ):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _QuietReconnects) for f in logger.filters):
            logger.addFilter(_QuietReconnects())


class Broker:
    """Holds the robust connection and its publishing channel for the life of the process:
    aio-pika restores after a reconnect only what is still referenced."""

    def __init__(self, url: str, events_exchange: str) -> None:
        self.url = url
        self.events_exchange = events_exchange
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractRobustChannel | None = None
        self._exchanges: dict[str, AbstractExchange] = {}
        quiet_reconnect_logs()

    async def connect(self) -> None:
        self._connection = await aio_pika.connect_robust(self.url, reconnect_interval=1)
        self._connection.close_callbacks.add(self._on_lost)
        self._connection.reconnect_callbacks.add(self._on_restored)
        # Confirms make a publish wait for the broker; `on_return_raises` turns an unroutable
        # message into an error instead of a silent drop.
        self._channel = await self._connection.channel(
            publisher_confirms=True, on_return_raises=True
        )
        await self.exchange(self.events_exchange)

    @property
    def connection(self) -> AbstractRobustConnection:
        if self._connection is None:
            raise RuntimeError("Broker.connect() was not awaited")
        return self._connection

    @property
    def channel(self) -> AbstractRobustChannel:
        if self._channel is None:
            raise RuntimeError("Broker.connect() was not awaited")
        return self._channel

    @property
    def is_connected(self) -> bool:
        return (
            self._connection is not None
            and not self._connection.is_closed
            and self._channel is not None
            and not self._channel.is_closed
        )

    async def exchange(self, name: str) -> AbstractExchange:
        """The named durable topic exchange (declared once), or the default exchange for ''."""
        if name == "":
            return self.channel.default_exchange
        if name not in self._exchanges:
            self._exchanges[name] = await self.channel.declare_exchange(
                name, ExchangeType.TOPIC, durable=True
            )
        return self._exchanges[name]

    def _on_lost(self, connection: Any, error: BaseException | None = None) -> None:
        if not connection.close_called:  # not our own close()
            BROKER.failed(error or "connection lost")

    def _on_restored(self, *_: Any) -> None:
        BROKER.answered()

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
