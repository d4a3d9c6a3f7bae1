"""Wiring of the documents service."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from documents.adapters.signing import load_keys
from documents.deps import CONFIG, DEPS, Deps
from documents.entrypoints.consumers import subscriptions
from documents.entrypoints.http import api
from documents.entrypoints.worker import generation_worker, render_worker
from documents.settings import Settings
from shared.bus.outbox import Outbox
from shared.clock import Clock, SystemClock
from shared.http.app import create_app
from shared.service import broker, consumers, database, outbox_relay, token_verifier
from shared.storage import object_store

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def bootstrap(settings: Settings, clock: Clock | None = None) -> Deps:
    return Deps(
        outbox=Outbox(settings.service_name, settings.events_exchange),
        clock=clock or SystemClock(),
        keys=load_keys(settings.verification_signing_key, settings.verification_previous_jwks),
    )


def build_app(settings: Settings | None = None, *, clock: Clock | None = None) -> web.Application:
    settings = settings or Settings()
    app = create_app(
        settings,
        api,
        title="documents",
        contexts=[
            database(MIGRATIONS),
            broker,
            token_verifier(),
            outbox_relay,
            object_store(settings.s3_bucket),
            consumers(subscriptions),
            render_worker,
            generation_worker,
        ],
    )
    app[DEPS] = bootstrap(settings, clock)
    app[CONFIG] = settings
    return app
