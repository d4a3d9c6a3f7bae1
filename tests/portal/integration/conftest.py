"""The portal in-process (aiohttp's test client) in front of the real accounts service (its own
database and bus, from tests/accounts); services the test leaves out point at a closed port, as
when they are down."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import pytest_asyncio
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from portal.app import build_app
from portal.deps import DEPS
from portal.domain.session import COOKIE_NAME, Session, generate_key
from portal.settings import Settings
from shared.testing.clock import FakeClock
from shared.testing.infrastructure import free_port
from tests.accounts.integration import conftest as accounts_fixtures
from tests.accounts.integration.conftest import PASSWORD, Candidate, Service

# The accounts service under test, with its own settings and clock (tests/accounts).
clock = accounts_fixtures.clock
settings = accounts_fixtures.settings
service = accounts_fixtures.service

# The accounts service under test, with its own settings and clock (tests/accounts).
clock = accounts_fixtures.clock
settings = accounts_fixtures.settings
service = accounts_fixtures.service

Portal = TestClient[web.Request, web.Application]
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


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
            accounts_url=str(service.client.make_url("")).rstrip("/"),
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
