"""pytest fixtures for every service's tests (`pytest_plugins = ["shared.testing.plugin"]`).

Servers are session-scoped; each test gets its own database and its own exchange and queue
names, so tests never see each other's data or messages.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aio_pika
import asyncpg
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from shared.bus.broker import Broker
from shared.http.keys import CONSUMERS
from shared.testing import infrastructure
from shared.testing.infrastructure import S3Endpoint
from shared.testing.smtp import SmtpSink
from shared.testing.tokens import TestKeys


def with_database(dsn: str, name: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{name}"))


async def create_database(server_dsn: str) -> str:
    name = f"test_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(server_dsn)
    try:
        # template0 takes no connections, so concurrent creations never find it "in use".
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    finally:
        await conn.close()
    return with_database(server_dsn, name)


async def drop_database(server_dsn: str, dsn: str) -> None:
    name = urlsplit(dsn).path.lstrip("/")
    conn = await asyncpg.connect(server_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_server_dsn() -> Iterator[str]:
    with infrastructure.postgres_dsn() as dsn:
        yield dsn


@pytest_asyncio.fixture(loop_scope="session")
async def database_dsn(postgres_server_dsn: str) -> AsyncIterator[str]:
    """A new empty database for this test, dropped afterwards."""
    dsn = await create_database(postgres_server_dsn)
    yield dsn
    await drop_database(postgres_server_dsn, dsn)


@pytest.fixture(scope="session")
def amqp_server_url() -> Iterator[str]:
    with infrastructure.amqp_url() as url:
        yield url


@dataclass
class BusNames:
    """Names of this test's exchange and queues; what is declared under them is deleted after."""

    exchange: str
    prefix: str
    queues: list[str] = field(default_factory=list)

    def queue(self, purpose: str) -> str:
        return f"{self.prefix}.{purpose}"


@pytest_asyncio.fixture(loop_scope="session")
async def bus_names(amqp_server_url: str) -> AsyncIterator[BusNames]:
    tag = uuid.uuid4().hex[:12]
    names = BusNames(exchange=f"test-events.{tag}", prefix=f"test.{tag}")
    yield names
    connection = await aio_pika.connect(amqp_server_url)
    async with connection:
        channel = await connection.channel()
        for queue in names.queues:
            await channel.queue_delete(queue)
        await channel.exchange_delete(names.exchange)


@pytest_asyncio.fixture(loop_scope="session")
async def broker(amqp_server_url: str, bus_names: BusNames) -> AsyncIterator[Broker]:
    connected = Broker(amqp_server_url, bus_names.exchange)
    await connected.connect()
    yield connected
    await connected.close()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Endpoint]:
    with infrastructure.s3_endpoint() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp(smtp_server: SmtpSink) -> Iterator[SmtpSink]:
    """The SMTP server, emptied for this test (and started again if a test stopped it)."""
    smtp_server.clear()
    yield smtp_server
    smtp_server.stop()
    smtp_server.start()
    smtp_server.clear()


@pytest.fixture(scope="session")
def test_keys() -> TestKeys:
    return TestKeys()


@pytest.fixture
def service_settings(
    database_dsn: str, amqp_server_url: str, bus_names: BusNames, test_keys: TestKeys
) -> dict[str, object]:
    """Settings every service takes in a test: its own database, exchange and queue names,
    fast retries and polling, and the test signing keys."""
    return {
        "environment": "test",
        "database_url": database_dsn,
        "amqp_url": amqp_server_url,
        "events_exchange": bus_names.exchange,
        "queue_prefix": bus_names.prefix,
        "outbox_poll_interval_s": 0.2,
        "consumer_retry_delays_s": (0.05, 0.1, 0.2),
        "jwt_jwks": json.dumps(test_keys.jwks),
        "jwt_audience": test_keys.audience,
        "jwt_issuer": test_keys.issuer,
    }


@pytest_asyncio.fixture(loop_scope="session")
async def serve(
    bus_names: BusNames, database_dsn: str
) -> AsyncIterator[Callable[[web.Application], Any]]:
    """`client = await serve(app)`: the app started with all its cleanup contexts (migrations,
    relay, consumers…) behind a test client; stopped after the test, before its database is
    dropped (hence the `database_dsn` dependency)."""
    clients: list[TestClient[web.Request, web.Application]] = []

    async def start(app: web.Application) -> TestClient[web.Request, web.Application]:
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        for consumer in app.get(CONSUMERS, []):
            bus_names.queues.extend(consumer.queue_names())
        return client

    yield start
    for client in reversed(clients):
        await client.close()
