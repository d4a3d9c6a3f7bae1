"""Fixtures of the registration tests: the service started on its own database, tokens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from registration.app import build_app
from registration.clock import Clock
from registration.seed.__main__ import seed
from registration.settings import Settings
from shared.auth import Role
from shared.testing.tokens import TestKeys

Client = TestClient[web.Request, web.Application]
Start = Callable[..., Awaitable[Client]]


@pytest.fixture
def settings(service_settings: dict[str, Any]) -> Settings:
    return Settings(**service_settings)


@pytest.fixture
def start(settings: Settings, serve: Callable[[web.Application], Awaitable[Client]]) -> Start:
    """`client = await start(clock=…, seeded=True)`: the service, on the seed if asked."""

    async def started(clock: Clock | None = None, seeded: bool = True) -> Client:
        if seeded:
            await seed(settings.database_url, settings.service_name)
        return await serve(build_app(settings, clock=clock))

    return started


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
