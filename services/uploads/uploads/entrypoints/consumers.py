"""The candidature events that (re)compute or close a candidature's pièces, and erasure,
on one queue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from aiohttp import web

from shared.bus.consumer import Handler, Subscription
from shared.events import Envelope
from shared.events.catalogue import (
    AccountErased,
    CandidatureCreated,
    CandidatureModified,
    CandidatureRejected,
    CandidaturesPurged,
    CandidatureWithdrawn,
)
from shared.http.keys import SETTINGS
from uploads.deps import DEPS, Deps
from uploads.handlers import erasure, events

EventHandler = Callable[[asyncpg.Connection, Envelope, Any, Deps], Awaitable[object]]


def subscriptions(app: web.Application) -> list[Subscription]:
    deps = app[DEPS]
    return [
        Subscription(
            app[SETTINGS].queue("pieces"),
            {
                CandidatureCreated: _calling(events.candidature_saved, deps),
                CandidatureModified: _calling(events.candidature_saved, deps),
                CandidatureWithdrawn: _calling(events.candidature_closed, deps),
                CandidatureRejected: _calling(events.candidature_closed, deps),
                AccountErased: _calling(erasure.erase_account, deps),
                CandidaturesPurged: _calling(erasure.purge_candidatures, deps),
            },
        )
    ]


def _calling(handler: EventHandler, deps: Deps) -> Handler:
    async def on_event(conn: asyncpg.Connection, envelope: Envelope, payload: Any) -> None:
        await handler(conn, envelope, payload, deps)

    return on_event
