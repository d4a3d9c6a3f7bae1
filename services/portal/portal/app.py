"""Wiring: the pages, the design system's files, the services' clients, health and metrics."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import cast

import aiohttp
import aiohttp_jinja2
import jinja2
from aiohttp import web

from portal.adapters.backends import Backends
from portal.deps import BACKENDS, DEPS, Deps
from portal.domain.session import SessionCodec, generate_key
from portal.entrypoints.filters import FILTERS
from portal.entrypoints.http import routes
from portal.entrypoints.pages import (
    csrf_middleware,
    error_pages_middleware,
    security_headers_middleware,
    session_middleware,
)
from portal.settings import Settings
from shared.clock import Clock, SystemClock
from shared.http.app import correlation_middleware, live, metrics, metrics_middleware, ready
from shared.http.keys import SETTINGS
from shared.http.read_cache import ReadCache

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent


def bootstrap(settings: Settings, clock: Clock | None = None) -> Deps:
    key = settings.session_key.get_secret_value().encode() if settings.session_key else None
    if key is None:
        log.warning("PORTAL_SESSION_KEY unset: a key drawn for this process only")
    codec = SessionCodec(key or generate_key(), settings.session_max_age_s)
    return Deps(settings=settings, sessions=codec, clock=clock or SystemClock())


async def http_client(app: web.Application) -> AsyncIterator[None]:
    settings = app[DEPS].settings
    timeout = aiohttp.ClientTimeout(total=settings.backend_timeout_s, connect=2)
    connector = aiohttp.TCPConnector(limit=200, ttl_dns_cache=30)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        app[BACKENDS] = Backends(
            http,
            {
                "accounts": settings.accounts_url,
                "registration": settings.registration_url,
                "documents": settings.documents_url,
                "uploads": settings.uploads_url,
            },
            ReadCache(settings.public_cache_ttl_s),
        )
        yield


def build_app(settings: Settings | None = None, *, clock: Clock | None = None) -> web.Application:
    settings = settings or Settings()
    app = web.Application(
        client_max_size=settings.max_upload_bytes + 64 * 1024,
        middlewares=[
            correlation_middleware,
            metrics_middleware,
            security_headers_middleware,
            error_pages_middleware,
            session_middleware,
            csrf_middleware,
        ],
    )
    app[SETTINGS] = settings
    app[DEPS] = bootstrap(settings, clock)
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("portal", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        filters=cast(Mapping[str, Callable[..., str]], FILTERS),
        undefined=jinja2.StrictUndefined,
    )
    app.router.add_get("/health/live", live)
    app.router.add_get("/health/ready", ready)
    app.router.add_get("/metrics", metrics)
    app.router.add_static("/static/portal", HERE / "static")
    _add_assets(app, settings.assets_dir)
    app.router.add_routes(routes)
    app.cleanup_ctx.append(http_client)
    return app


def _add_assets(app: web.Application, node_modules: Path) -> None:
    dsfr = node_modules / "@gouvfr" / "dsfr" / "dist"
    if dsfr.is_dir():
        app.router.add_static("/static/dsfr", dsfr)
    else:
        log.warning("the design system is not installed (run `make install`): pages unstyled")
