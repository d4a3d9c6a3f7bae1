"""One shape for a service under test: every service's `service` fixture returns this."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
from aiohttp import web
from aiohttp.test_utils import TestClient

from shared.bus.broker import Broker
from shared.events import Envelope, EventPayload
from shared.http.keys import BROKER, POOL
from shared.settings import ServiceSettings
from shared.testing.clock import FakeClock
from shared.testing.helpers import publish_event

Client = TestClient[web.Request, web.Application]


@dataclass
class ServiceUnderTest:
    """A started app (migrations, relay, consumers, jobs) behind a test client, with the clock
    its handlers read."""

    client: Client
    app: web.Application
    clock: FakeClock

    @property
    def pool(self) -> asyncpg.Pool:
        return self.app[POOL]

    @property
    def broker(self) -> Broker:
        return self.app[BROKER]

    async def publish(self, payload: EventPayload, producer: str = "tests") -> Envelope:
        """Send an event as its producer's relay would, through this service's exchange."""
        return await publish_event(self.broker, payload, producer)


class Start(Protocol):
    async def __call__(self, **overrides: Any) -> ServiceUnderTest: ...


def starter(
    build_app: Callable[..., web.Application],
    settings: ServiceSettings,
    serve: Callable[[web.Application], Awaitable[Client]],
) -> Start:
    """`await start(**overrides)`: one more replica of the service, its settings overridden,
    with a clock of its own (the `start` fixture of a service's tests)."""

    async def started(**overrides: Any) -> ServiceUnderTest:
        clock = FakeClock()
        app = build_app(settings.model_copy(update=overrides), clock=clock)
        return ServiceUnderTest(await serve(app), app, clock)

    return started
