"""Fixtures of the registration tests: the service started on its own database, tokens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from registration.app import build_app
from registration.seed.__main__ import seed
from registration.settings import Settings
from shared.auth import Role
from shared.testing.clock import FakeClock
from shared.testing.service import Client, ServiceUnderTest
from shared.testing.tokens import TestKeys

Start = Callable[..., Awaitable[ServiceUnderTest]]

__all__ = ["Client", "ServiceUnderTest", "Start", "gestionnaire", "problem"]


@pytest.fixture
def settings(service_settings: dict[str, Any]) -> Settings:
    return Settings(**service_settings)


@pytest.fixture
def start(settings: Settings, serve: Callable[[web.Application], Awaitable[Client]]) -> Start:
    """`service = await start(seeded=False)`: the service, on the seed unless told otherwise,
    its clock a `FakeClock` (now, until the test moves it)."""

    async def started(seeded: bool = True) -> ServiceUnderTest:
        if seeded:
            await seed(settings.database_url, settings.service_name)
        clock = FakeClock()
        app = build_app(settings, clock=clock)
        return ServiceUnderTest(await serve(app), app, clock)

    return started


@pytest.fixture
async def service(start: Start) -> ServiceUnderTest:
    """The service on the seed référentiel."""
    return await start()


@pytest.fixture
def admin(test_keys: TestKeys) -> dict[str, str]:
    return {"Authorization": f"Bearer {test_keys.token(Role.ADMINISTRATEUR)}"}


def gestionnaire(test_keys: TestKeys, *academies: str) -> dict[str, str]:
    token = test_keys.token(Role.GESTIONNAIRE, academies=academies)
    return {"Authorization": f"Bearer {token}"}


async def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status == status, await response.text()
    assert response.content_type == "application/problem+json"
    body: dict[str, Any] = await response.json()
    return body
