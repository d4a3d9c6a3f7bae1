"""Wiring: the accounts service's app, its resources and its periodic job."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import asyncpg
from aiohttp import web

from accounts.adapters.hashing import PasswordHasher
from accounts.adapters.signing import TokenSigner
from accounts.deps import DEPS, Deps
from accounts.domain.accounts import Lifetimes
from accounts.entrypoints.consumers import subscriptions
from accounts.entrypoints.http import api
from accounts.handlers.logins import forget_stale
from accounts.handlers.signup import erase_unactivated
from accounts.settings import Settings
from shared.auth import StaticKeys
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

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant, the same in every replica: one of them erases at a time.
ERASE_LOCK_KEY = 0xACC0_0E7A


def hasher_for(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        memory_kib=settings.argon2_memory_kib,
        time_cost=settings.argon2_time_cost,
        parallelism=settings.argon2_parallelism,
        concurrency=settings.argon2_concurrency,
    )


def bootstrap(settings: Settings, clock: Clock | None = None) -> Deps:
    """What the handlers are given, built from the settings (the CLI uses it too)."""
    return Deps(
        outbox=Outbox(settings.service_name, settings.events_exchange),
        clock=clock or SystemClock(),
        hasher=hasher_for(settings),
        signer=TokenSigner.from_settings(settings),
        lifetimes=Lifetimes(
            access_token=timedelta(seconds=settings.access_token_ttl_s),
            # The setting keeps its first name: deployments set ACCOUNTS_SESSION_TTL_S.
            login=timedelta(seconds=settings.session_ttl_s),
            refresh_reuse_grace=timedelta(seconds=settings.refresh_reuse_grace_s),
        ),
        trust_forwarded_for=settings.trust_forwarded_for,
        answer_floor_s=settings.answer_floor_ms / 1000,
    )


def build_app(settings: Settings | None = None, *, clock: Clock | None = None) -> web.Application:
    settings = settings or Settings()
    deps = bootstrap(settings, clock)

    async def housekeeping(conn: asyncpg.Connection) -> None:
        await erase_unactivated(conn, deps)
        await forget_stale(conn, deps)

    app = create_app(
        settings,
        api,
        title="accounts",
        contexts=[
            database(MIGRATIONS),
            broker,
            # The service checks its own tokens with its own public keys.
            token_verifier(StaticKeys(deps.signer.jwks())),
            outbox_relay,
            consumers(subscriptions),
            periodic_job(
                "erase_unactivated", settings.erase_interval_s, housekeeping, ERASE_LOCK_KEY
            ),
        ],
    )
    app[DEPS] = deps
    return app
