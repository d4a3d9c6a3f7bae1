"""Wiring of the registration service."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from registration.adapters.read_cache import READ_CACHE, ReadCache
from registration.clock import CLOCK, Clock
from registration.entrypoints.consumers import subscriptions
from registration.entrypoints.http import api
from registration.settings import Settings
from shared.http.app import create_app
from shared.service import broker, consumers, database, outbox_relay, token_verifier

MIGRATIONS = Path(__file__).parent / "migrations"


def build_app(settings: Settings | None = None, clock: Clock | None = None) -> web.Application:
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
    app[CLOCK] = clock or Clock()
    app[READ_CACHE] = ReadCache(settings.public_cache_ttl_s)
    return app
