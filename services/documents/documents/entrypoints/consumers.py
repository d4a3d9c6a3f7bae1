"""The candidature events that make a document or mark a candidature, on one queue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from aiohttp import web

from documents.deps import DEPS, Deps
from documents.handlers import events
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

EventHandler = Callable[[asyncpg.Connection, Envelope, Any, Deps], Awaitable[object]]


def subscriptions(app: web.Application) -> list[Subscription]:
    deps = app[DEPS]
    return [
        Subscription(
            app[SETTINGS].queue("documents"),
            {
                CandidatureCreated: _calling(events.record_render_job, deps),
                CandidatureModified: _calling(events.record_render_job, deps),
                CandidatureWithdrawn: _calling(events.candidature_withdrawn, deps),
                CandidatureRejected: _calling(events.candidature_rejected, deps),
                AccountErased: _calling(events.erase_account, deps),
                CandidaturesPurged: _calling(events.candidatures_purged, deps),
            },
        )
    ]


def _calling(handler: EventHandler, deps: Deps) -> Handler:
    async def on_event(conn: asyncpg.Connection, envelope: Envelope, payload: Any) -> None:
        await handler(conn, envelope, payload, deps)

    return on_event
