"""Wiring of the registration service."""

from __future__ import annotations

import secrets
from pathlib import Path

from aiohttp import web

from registration.deps import DEPS, Deps
from registration.entrypoints.consumers import subscriptions
from registration.entrypoints.http import api, clear_cache_after_change
from registration.handlers import retention
from registration.settings import Settings
from shared.bus.outbox import Outbox
from shared.clock import Clock, SystemClock
from shared.http.app import create_app
from shared.http.read_cache import ReadCache
from shared.service import (
    broker,
    consumers,
    database,
    outbox_relay,
    periodic_job,
    token_verifier,
)

MIGRATIONS = Path(__file__).parent / "migrations"
# The retention job's advisory lock: one replica at a time (shared uses 0x0B0C for the outbox).
RETENTION_LOCK_KEY = 0x4E6C


def bootstrap(settings: Settings, clock: Clock | None = None) -> Deps:
    return Deps(
        outbox=Outbox(settings.service_name, settings.events_exchange),
        clock=clock or SystemClock(),
        read_cache=ReadCache(settings.public_cache_ttl_s),
        cursor_key=_cursor_key(settings),
    )


def _cursor_key(settings: Settings) -> bytes:
    secret = settings.search_cursor_secret
    if secret is None or not secret.get_secret_value():
        return secrets.token_bytes(32)
    return secret.get_secret_value().encode()


def build_app(settings: Settings | None = None, *, clock: Clock | None = None) -> web.Application:
    settings = settings or Settings()
    deps = bootstrap(settings, clock)
    retention_job = retention.job(
        deps,
        retention_days=settings.retention_days,
        batch_size=settings.retention_batch_size,
        max_batches=settings.retention_max_batches,
    )
    app = create_app(
        settings,
        api,
        title="registration",
        contexts=[
            database(MIGRATIONS),
            broker,
            token_verifier(),
            outbox_relay,
            consumers(subscriptions),
            periodic_job(
                "retention", settings.retention_interval_s, retention_job, RETENTION_LOCK_KEY
            ),
        ],
    )
    app[DEPS] = deps
    # After the response left the transaction (committed): a read then sees the change.
    app.on_response_prepare.append(clear_cache_after_change)
    return app
