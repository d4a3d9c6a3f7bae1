"""Wiring of the registration service."""

from __future__ import annotations

import secrets
from pathlib import Path

from aiohttp import web

from registration.adapters.read_cache import ReadCache
from registration.deps import DEPS, Deps
from registration.entrypoints.consumers import subscriptions
from registration.entrypoints.http import api, clear_cache_after_change
from registration.settings import Settings
from shared.bus.outbox import Outbox
from shared.clock import Clock, SystemClock
from shared.http.app import create_app
from shared.service import broker, consumers, database, outbox_relay, token_verifier

MIGRATIONS = Path(__file__).parent / "migrations"


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
        ],
    )
    app[DEPS] = bootstrap(settings, clock)
    # After the response left the transaction (committed): a read then sees the change.
    app.on_response_prepare.append(clear_cache_after_change)
    return app
