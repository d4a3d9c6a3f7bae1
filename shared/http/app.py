"""The aiohttp app factory every service uses: middlewares, health, metrics, OpenAPI."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Sequence

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared import outages
from shared.bus.broker import BROKER_UNREACHABLE
from shared.db import DATABASE_UNREACHABLE, tracking_answers
from shared.http.api import Api, body_was_read, openapi_document
from shared.http.keys import BACKGROUND, BROKER, CONSUMERS, POOL, READINESS, SETTINGS
from shared.http.problems import ProblemError, from_http_exception, problem_response
from shared.http.read_only import READ_ONLY, ReadOnlyFlag, read_only_middleware
from shared.logging import new_correlation_id, set_correlation_id
from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS
from shared.settings import ServiceSettings
from shared.storage import STORE

log = logging.getLogger(__name__)

CORRELATION_HEADER = "X-Correlation-ID"
SAFE_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
CORRELATION_ID = web.RequestKey("correlation_id", str)

CleanupContext = Callable[[web.Application], AsyncIterator[None]]
# What a 503 asks the caller to wait: a database restart or a broker reconnect takes seconds.
UNAVAILABLE_RETRY_AFTER_S = 5


@web.middleware
async def correlation_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Take the caller's correlation id when it is safe to log, else make one."""
    given = request.headers.get(CORRELATION_HEADER, "")
    correlation_id = given if SAFE_CORRELATION_ID.match(given) else new_correlation_id()
    set_correlation_id(correlation_id)
    request[CORRELATION_ID] = correlation_id
    response = await handler(request)
    response.headers[CORRELATION_HEADER] = correlation_id
    return response


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        HTTP_REQUESTS.labels(request.method, route, str(status)).inc()
        HTTP_LATENCY.labels(request.method, route).observe(time.perf_counter() - started)


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every error leaves as application/problem+json; internals never leave the process."""
    try:
        return await _run_once_more_if_untouched(request, handler)
    except DATABASE_UNREACHABLE + BROKER_UNREACHABLE as exc:
        error = _unavailable(request, exc)
    except ProblemError as exc:
        error = exc
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        error = from_http_exception(exc)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unexpected error", extra={"path": request.path})
        error = ProblemError(
            500, "internal-error", "Internal error", "An unexpected error occurred"
        )
    correlation_id = request.get(CORRELATION_ID)
    return problem_response(error.problem(request.path, correlation_id), error.headers)


async def _run_once_more_if_untouched(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A pooled connection can be found dead at its first statement (the server restarted
    since it was last used): asyncpg then drops it, and a request that had no statement
    answered did nothing yet, so it runs once more on a fresh connection. A body is replayed
    only if it was read whole (a streamed one is gone)."""
    with tracking_answers() as answers:
        try:
            response = await handler(request)
            if answers.any:
                outages.DATABASE.answered()
            return response
        except DATABASE_UNREACHABLE:
            replayable = not request.body_exists or body_was_read(request)
            if answers.any or not replayable:
                raise
    log.info("database connection found dead; request run again", extra={"path": request.path})
    return await handler(request)


def _unavailable(request: web.Request, exc: BaseException) -> ProblemError:
    """A server the request needs cannot be reached: the caller may try again shortly. The
    outage is logged once by its tracker, not once per request."""
    broker = isinstance(exc, BROKER_UNREACHABLE)  # first: its errors are OSErrors too
    (outages.BROKER if broker else outages.DATABASE).failed(exc)
    log.info(
        "request refused: %s unreachable",
        "broker" if broker else "database",
        extra={"path": request.path, "error": repr(exc)[:300]},
    )
    return ProblemError(
        503,
        "service-unavailable",
        "Service unavailable",
        "The service cannot reach a server it needs; try again shortly",
        headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)},
    )


async def live(request: web.Request) -> web.Response:
    return web.json_response({"status": "live"})


async def ready(request: web.Request) -> web.Response:
    checks = await readiness_checks(request.app)
    healthy = all(checks.values())
    return web.json_response(
        {"status": "ready" if healthy else "not ready", "checks": checks},
        status=200 if healthy else 503,
    )


async def readiness_checks(app: web.Application) -> dict[str, bool]:
    checks: dict[str, bool] = {}
    if POOL in app:
        checks["database"] = await _database_answers(app)
    if BROKER in app:
        checks["broker"] = app[BROKER].is_connected
    if STORE in app:
        checks["storage"] = await app[STORE].ready()
    for name, check in app.get(READINESS, {}).items():
        checks[name] = await check()
    for consumer in app.get(CONSUMERS, []):
        checks[f"consumer:{consumer.queue_name}"] = consumer.is_running
    for name, task in app.get(BACKGROUND, {}).items():
        checks[name] = not task.done()
    return checks


async def _database_answers(app: web.Application) -> bool:
    try:
        async with asyncio.timeout(2):
            async with app[POOL].acquire() as conn:
                await conn.fetchval("SELECT 1")
        return True
    except Exception:
        return False


async def metrics(request: web.Request) -> web.Response:
    response = web.Response(body=generate_latest())
    response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
    return response


def create_app(
    settings: ServiceSettings,
    api: Api,
    *,
    title: str,
    contexts: Sequence[CleanupContext] = (),
) -> web.Application:
    """The service's app: its API, the operational routes, and its resources, each opened by
    one cleanup context (in order) and closed in reverse order."""
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[
            correlation_middleware,
            metrics_middleware,
            problem_middleware,
            read_only_middleware,
        ],
    )
    app[SETTINGS] = settings
    app[BACKGROUND] = {}
    app[READ_ONLY] = ReadOnlyFlag()
    document = openapi_document(api, title, "1")

    async def openapi(request: web.Request) -> web.Response:
        return web.json_response(document)

    app.router.add_get("/health/live", live)
    app.router.add_get("/health/ready", ready)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/openapi.json", openapi)
    api.register(app)
    app.cleanup_ctx.extend(contexts)
    return app
