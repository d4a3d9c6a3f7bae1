"""Wiring of the notifications service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
from aiohttp import web

from notifications.adapters.messages_sql import purge_bodies
from notifications.deps import CONFIG, DEPS, Deps
from notifications.domain.emails import Mailbook
from notifications.domain.portal import Portal
from notifications.domain.rendering import Renderer
from notifications.entrypoints.consumers import subscriptions
from notifications.entrypoints.http import api
from notifications.entrypoints.sender import email_sender
from notifications.settings import Settings
from shared.bus.outbox import Outbox
from shared.clock import Clock, SystemClock
from shared.http.app import create_app
from shared.service import (
    broker,
    consumers,
    database,
    outbox_relay,
    periodic_job,
    token_verifier,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def bootstrap(settings: Settings, clock: Clock | None = None) -> Deps:
    return Deps(
        outbox=Outbox(settings.service_name, settings.events_exchange),
        clock=clock or SystemClock(),
        mailbook=Mailbook(
            Portal(settings.portal_base_url), frozenset(settings.notify_document_kinds)
        ),
        renderer=Renderer(),
        mail_from_address=str(settings.mail_from_address),
    )


def purging(settings: Settings) -> Callable[[asyncpg.Connection], Awaitable[None]]:
    async def purge(conn: asyncpg.Connection) -> None:
        await purge_bodies(conn, settings.body_retention_days)

    return purge


def build_app(settings: Settings | None = None, *, clock: Clock | None = None) -> web.Application:
    settings = settings or Settings()
    app = create_app(
        settings,
        api,
        title="notifications",
        contexts=[
            database(MIGRATIONS),
            broker,
            # Publishes nothing of its own, but a dead letter's replay goes through the outbox.
            outbox_relay,
            token_verifier(),
            consumers(subscriptions),
            email_sender,
            periodic_job("purge_email_bodies", 3600, purging(settings), lock_key=0x5E4D),
        ],
    )
    app[DEPS] = bootstrap(settings, clock)
    app[CONFIG] = settings
    return app
