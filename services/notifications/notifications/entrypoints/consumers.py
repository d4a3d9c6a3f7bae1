"""The events that give a candidate an email, and account erasure, on one queue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from aiohttp import web

from notifications.deps import DEPS, Deps
from notifications.handlers import events
from notifications.handlers.events import Received
from shared.bus.consumer import Handler, Subscription
from shared.events import Envelope, EventPayload
from shared.events.catalogue import AccountErased
from shared.http.keys import SETTINGS

EventHandler = Callable[[asyncpg.Connection, Any, Deps], Awaitable[object]]


def subscriptions(app: web.Application) -> list[Subscription]:
    deps = app[DEPS]
    handlers: dict[type[EventPayload], Handler] = {
        model: _calling(events.record_emails, deps) for model in deps.mailbook.composers()
    }
    handlers[AccountErased] = _calling(events.erase_account, deps)
    return [Subscription(app[SETTINGS].queue("emails"), handlers)]


def _calling(handler: EventHandler, deps: Deps) -> Handler:
    async def on_event(conn: asyncpg.Connection, envelope: Envelope, payload: Any) -> None:
        await handler(conn, Received(envelope, payload), deps)

    return on_event
