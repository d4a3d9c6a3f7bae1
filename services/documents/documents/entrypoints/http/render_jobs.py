"""Render jobs that failed for good (administrateur): listed with their error, and put back
in the queue once the cause is fixed (a renderer bug deployed, say)."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from documents.deps import DEPS
from documents.entrypoints.problems import PROBLEMS
from documents.entrypoints.schemas import RenderJobView
from documents.handlers import render_jobs
from shared.auth import Principal, Role
from shared.http.api import Api

api = Api(problems=PROBLEMS)
TAGS = ("admin",)
ADMINISTRATEUR = (Role.ADMINISTRATEUR,)


@api.get(
    "/api/v1/admin/render-jobs/failed",
    response=list[RenderJobView],
    roles=ADMINISTRATEUR,
    tags=TAGS,
    transactional=True,
    summary="Render jobs that failed `render_max_attempts` times, the latest first",
)
async def failed_render_jobs(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> list[RenderJobView]:
    found = await render_jobs.failed(conn, request.app[DEPS])
    return [RenderJobView.model_validate(dict(row)) for row in found]


@api.post(
    r"/api/v1/admin/render-jobs/{job_id:\d+}/retry",
    response=RenderJobView,
    roles=ADMINISTRATEUR,
    tags=TAGS,
    transactional=True,
    errors=(409,),
    summary="Put a failed render job back in the queue, due now",
)
async def retry_render_job(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> RenderJobView:
    job_id = int(request.match_info["job_id"])
    retried = await render_jobs.retry(conn, job_id, request.app[DEPS])
    return RenderJobView.model_validate(dict(retried))
