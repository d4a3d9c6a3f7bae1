"""The portal in-process (aiohttp's test client) in front of the real accounts service (its own
database and bus, from tests/accounts) and, for Mes justificatifs, the real uploads service (a
database of its own, the tests' S3 server and clamd); services the test leaves out point at a
closed port, as when they are down."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from accounts.settings import Settings as AccountsSettings
from portal.app import build_app
from portal.deps import DEPS
from portal.domain.session import COOKIE_NAME, Session, generate_key
from portal.settings import Settings
from shared.http.keys import CONSUMERS
from shared.testing.clock import FakeClock
from shared.testing.infrastructure import S3Endpoint, free_port
from shared.testing.plugin import BusNames, create_database, drop_database
from shared.testing.service import ServiceUnderTest
from shared.testing.tokens import TestKeys
from tests.accounts.integration import conftest as accounts_fixtures
from tests.accounts.integration.conftest import PASSWORD, Candidate, Service
from tests.uploads.integration import conftest as uploads_fixtures
from uploads.app import build_app as build_uploads
from uploads.settings import Settings as UploadsSettings

# The accounts service under test, with its own clock (tests/accounts); it signs with the
# tests' key, so that the tokens the portal gets are honoured by the other services too.
clock = accounts_fixtures.clock
service = accounts_fixtures.service
# A clamd of the tests' own, for the uploads service (tests/uploads).
clamd_address = uploads_fixtures.clamd_address

Portal = TestClient[web.Request, web.Application]
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def settings(service_settings: dict[str, Any], test_keys: TestKeys) -> AccountsSettings:
    pem = test_keys.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    return AccountsSettings(
        **service_settings,
        signing_key=pem.decode(),
        signing_key_id=test_keys.kid,
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        erase_interval_s=0.1,
        answer_floor_ms=5,
    )


@pytest_asyncio.fixture(loop_scope="session")
async def uploads(
    postgres_server_dsn: str,
    service_settings: dict[str, Any],
    bus_names: BusNames,
    s3_server: S3Endpoint,
    clamd_address: str,
) -> AsyncIterator[ServiceUnderTest]:
    """The uploads service on a database of its own (the test's is accounts'), same bus."""
    dsn = await create_database(postgres_server_dsn)
    bucket = f"pieces-{uuid.uuid4().hex[:12]}"
    uploads_fixtures.s3_client(s3_server).make_bucket(bucket)
    uploads_settings = UploadsSettings(
        **service_settings | {"database_url": dsn},
        s3_endpoint=s3_server.endpoint,
        s3_access_key=s3_server.access_key,
        s3_secret_key=s3_server.secret_key,
        s3_bucket=bucket,
        clamd_address=clamd_address,
    )
    uploads_clock = FakeClock()
    app = build_uploads(uploads_settings, clock=uploads_clock)
    client: TestClient[web.Request, web.Application] = TestClient(TestServer(app))
    await client.start_server()
    for consumer in app.get(CONSUMERS, []):
        bus_names.queues.extend(consumer.queue_names())
    try:
        yield ServiceUnderTest(client, app, uploads_clock)
    finally:
        await client.close()
        await drop_database(postgres_server_dsn, dsn)


def url_of(service: ServiceUnderTest) -> str:
    return str(service.client.make_url("")).rstrip("/")


def closed_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def portal_clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture(loop_scope="session")
async def start_portal(
    service: Service, portal_clock: FakeClock
) -> AsyncIterator[Callable[..., Awaitable[Portal]]]:
    """`await start_portal(registration_url=…)`: the portal in front of accounts."""
    clients: list[Portal] = []

    async def start(**urls: str) -> Portal:
        portal_settings = Settings(
            environment="test",
            session_key=generate_key().decode(),
            cookie_secure=False,
            accounts_url=url_of(service),
            registration_url=urls.get("registration_url", closed_url()),
            documents_url=urls.get("documents_url", closed_url()),
            uploads_url=urls.get("uploads_url", closed_url()),
            backend_timeout_s=5,
        )
        client: Portal = TestClient(TestServer(build_app(portal_settings, clock=portal_clock)))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()


async def csrf_of(portal: Portal, path: str = "/connexion") -> str:
    response = await portal.get(path)
    found = CSRF.search(await response.text())
    assert found, f"no CSRF token on {path}"
    return found.group(1)


async def sign_in(portal: Portal, candidate: Candidate, suite: str = "/") -> ClientResponse:
    token = await csrf_of(portal)
    form = {"csrf": token, "email": candidate.email, "password": PASSWORD, "suite": suite}
    response = await portal.post("/connexion", data=form, allow_redirects=False)
    assert response.status == 303, await response.text()
    return response


def session_of(portal: Portal) -> Session:
    cookie = next(c for c in portal.session.cookie_jar if c.key == COOKIE_NAME)
    assert portal.app is not None
    found = portal.app[DEPS].sessions.decode(cookie.value)
    assert found is not None
    return found
