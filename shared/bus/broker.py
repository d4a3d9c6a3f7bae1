"""One robust RabbitMQ connection per process, and the channel everything publishes on."""

from __future__ import annotations

import aio_pika
from aio_pika.abc import (
    AbstractExchange,
    AbstractRobustChannel,
    AbstractRobustConnection,
    ExchangeType,
)


class Broker:
    """Holds the robust connection and its publishing channel for the life of the process:
    aio-pika restores after a reconnect only what is still referenced."""

    def __init__(self, url: str, events_exchange: str) -> None:
        self.url = url
        self.events_exchange = events_exchange
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractRobustChannel | None = None
        self._exchanges: dict[str, AbstractExchange] = {}

    async def connect(self) -> None:
        self._connection = await aio_pika.connect_robust(self.url, reconnect_interval=1)
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

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
