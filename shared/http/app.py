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

from shared.http.api import Api, openapi_document
from shared.http.keys import BACKGROUND, BROKER, CONSUMERS, POOL, SETTINGS
from shared.http.problems import ProblemError, from_http_exception, problem_response
from shared.logging import new_correlation_id, set_correlation_id
from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

CORRELATION_HEADER = "X-Correlation-ID"
SAFE_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
CORRELATION_ID = web.RequestKey("correlation_id", str)

CleanupContext = Callable[[web.Application], AsyncIterator[None]]


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
        return await handler(request)
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
        middlewares=[correlation_middleware, metrics_middleware, problem_middleware],
    )
    app[SETTINGS] = settings
    app[BACKGROUND] = {}
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
