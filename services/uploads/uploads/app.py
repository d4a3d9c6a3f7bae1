"""Wiring of the uploads service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
from aiohttp import web

from shared.bus.outbox import Outbox
from shared.clock import Clock, SystemClock
from shared.http.app import create_app
from shared.http.keys import READINESS
from shared.service import (
    broker,
    consumers,
    database,
    outbox_relay,
    periodic_job,
    token_verifier,
)
from shared.storage import STORE, object_store
from uploads.adapters.clamd import Clamd
from uploads.deps import DEPS, Deps
from uploads.entrypoints.consumers import subscriptions
from uploads.entrypoints.http import api
from uploads.handlers.erasure import remove_objects
from uploads.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Advisory lock of the job removing erased files' objects: one replica at a time.
REMOVE_OBJECTS_LOCK = 0x0F11E5


def bootstrap(settings: Settings, clock: Clock | None = None) -> Deps:
    return Deps(
        outbox=Outbox(settings.service_name, settings.events_exchange),
        clock=clock or SystemClock(),
        scanner=Clamd(settings.clamd_address, settings.clamd_timeout_s),
        spool_dir=Path(settings.spool_dir) if settings.spool_dir else None,
        max_pixels=settings.max_pixels,
        content_checks=asyncio.Semaphore(settings.content_checks),
        default_deadline_days=settings.default_deadline_days,
        max_files_per_piece=settings.max_files_per_piece,
    )


async def scanner_readiness(app: web.Application) -> AsyncIterator[None]:
    """`/health/ready` reports `clamd`: without a scanner no upload is accepted."""
    app.setdefault(READINESS, {})["clamd"] = app[DEPS].scanner.ping
    yield


def build_app(settings: Settings | None = None, *, clock: Clock | None = None) -> web.Application:
    settings = settings or Settings()
    app = create_app(
        settings,
        api,
        title="uploads",
        contexts=[
            database(MIGRATIONS),
            broker,
            token_verifier(),
            outbox_relay,
            object_store(settings.s3_bucket),
            scanner_readiness,
            consumers(subscriptions),
        ],
    )
    removing = _removing(app)
    interval = settings.remove_objects_interval_s
    app.cleanup_ctx.append(periodic_job("remove_objects", interval, removing, REMOVE_OBJECTS_LOCK))
    app[DEPS] = bootstrap(settings, clock)
    return app


def _removing(app: web.Application) -> Callable[[asyncpg.Connection], Awaitable[int]]:
    async def job(conn: asyncpg.Connection) -> int:
        return await remove_objects(conn, app[STORE])

    return job
