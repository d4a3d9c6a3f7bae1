"""Wiring a service: one cleanup context per resource, and the process entrypoint."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

import asyncpg
import uvloop
from aiohttp import web

from shared.auth import KeySource, RemoteJwks, StaticKeys, TokenVerifier
from shared.bus.broker import Broker
from shared.bus.consumer import EventConsumer, Subscription
from shared.bus.relay import OutboxRelay
from shared.db import create_pool, delete_in_batches, migrate_service
from shared.http import idempotency
from shared.http.app import CleanupContext
from shared.http.keys import BACKGROUND, BROKER, CONSUMERS, POOL, SETTINGS, VERIFIER
from shared.logging import configure_logging
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

Job = Callable[[asyncpg.Connection], Awaitable[object]]


def database(migrations: Path) -> CleanupContext:
    """The pool, after the shared and the service's migrations have been applied."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        pool = await create_pool(
            settings.database_url,
            min_size=settings.db_pool_min,
            max_size=settings.db_pool_max,
            statement_timeout_ms=settings.db_statement_timeout_ms,
            lock_timeout_ms=settings.db_lock_timeout_ms,
            idle_in_transaction_timeout_ms=settings.db_idle_in_transaction_timeout_ms,
        )
        async with pool.acquire() as conn:
            await migrate_service(conn, settings.service_name, migrations)
        app[POOL] = pool
        purging = _every(pool, "idempotency_purge", 3600, idempotency.purge, 0x1DE4)
        _run_background(app, "idempotency_purge", purging)
        yield
        await _cancel_background(app, "idempotency_purge")
        await pool.close()

    return context


async def broker(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    connected = Broker(settings.amqp_url, settings.events_exchange)
    await connected.connect()
    app[BROKER] = connected
    yield
    await connected.close()


def key_source(settings: ServiceSettings) -> KeySource:
    if settings.jwt_jwks:
        return StaticKeys(settings.jwt_jwks)
    if settings.jwt_jwks_url:
        return RemoteJwks(settings.jwt_jwks_url)
    raise ValueError("set jwt_jwks or jwt_jwks_url to verify access tokens")


def token_verifier(keys: KeySource | None = None) -> CleanupContext:
    async def context(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        app[VERIFIER] = TokenVerifier(
            keys or key_source(settings), audience=settings.jwt_audience, issuer=settings.jwt_issuer
        )
        yield

    return context


def _run_background(app: web.Application, name: str, work: Awaitable[None]) -> None:
    app[BACKGROUND][name] = asyncio.ensure_future(work)


async def _cancel_background(app: web.Application, name: str) -> None:
    task = app[BACKGROUND].pop(name)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def outbox_relay(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    relay = OutboxRelay(
        app[POOL],
        app[BROKER],
        settings.database_url,
        batch_size=settings.outbox_batch_size,
        poll_interval_s=settings.outbox_poll_interval_s,
    )
    _run_background(app, "outbox_relay", relay.run())
    purge = _outbox_purge(settings.outbox_retention_days)
    _run_background(app, "outbox_purge", _every(app[POOL], "outbox_purge", 3600, purge, 0x0B0C))
    yield
    await _cancel_background(app, "outbox_purge")
    await _cancel_background(app, "outbox_relay")


def _outbox_purge(retention_days: int) -> Job:
    """Published outbox rows are kept `retention_days` for the record, then deleted."""

    async def purge(conn: asyncpg.Connection) -> None:
        await delete_in_batches(
            conn,
            """DELETE FROM outbox WHERE id IN (
                   SELECT id FROM outbox
                   WHERE published_at < now() - make_interval(days => $1) LIMIT $2)""",
            retention_days,
        )

    return purge


def consumers(build: Callable[[web.Application], Sequence[Subscription]]) -> CleanupContext:
    """Start a consumer per subscription; on the way out, stop them before the pool closes."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        settings = app[SETTINGS]
        started = [
            EventConsumer(
                subscription,
                pool=app[POOL],
                broker=app[BROKER],
                retry_delays_s=settings.consumer_retry_delays_s,
                prefetch=settings.consumer_prefetch,
            )
            for subscription in build(app)
        ]
        for consumer in started:
            await consumer.start()
        app[CONSUMERS] = started
        yield
        await asyncio.gather(*(consumer.stop() for consumer in started), return_exceptions=True)

    return context


async def _every(pool: asyncpg.Pool, name: str, interval_s: float, job: Job, lock_key: int) -> None:
    """Run `job` every `interval_s` in one transaction, in one replica at a time (a
    transaction-scoped advisory lock: a replica that finds it taken skips its turn)."""
    while True:
        try:
            async with pool.acquire() as conn, conn.transaction():
                if await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", lock_key):
                    await job(conn)
        except Exception:
            log.exception("periodic job failed", extra={"job": name})
        await asyncio.sleep(interval_s)


def periodic_job(name: str, interval_s: float, job: Job, lock_key: int) -> CleanupContext:
    async def context(app: web.Application) -> AsyncIterator[None]:
        _run_background(app, name, _every(app[POOL], name, interval_s, job, lock_key))
        yield
        await _cancel_background(app, name)

    return context


def run(build_app: Callable[[], web.Application]) -> None:
    """The process entrypoint: uvloop, JSON logs, graceful shutdown on SIGTERM/SIGINT."""
    app = build_app()
    settings = app[SETTINGS]
    configure_logging(settings.service_name, settings.log_level)
    log.info("starting", extra={"settings": settings.describe()})
    web.run_app(
        app,
        host=settings.http_host,
        port=settings.http_port,
        access_log=None,
        shutdown_timeout=30,
        print=None,
        loop=uvloop.new_event_loop(),
    )
