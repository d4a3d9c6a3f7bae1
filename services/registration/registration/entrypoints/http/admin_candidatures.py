"""The back office's candidatures: search, export (CSV, streamed) and counts, for gestionnaires
within their académies and administrateurs everywhere."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from registration.deps import DEPS
from registration.entrypoints.http._common import WINDOW_STAFF
from registration.entrypoints.schemas import (
    Comptes,
    ComptesQuery,
    ExportQuery,
    PageCandidatures,
    RechercheQuery,
)
from registration.handlers import recherche
from shared.auth import Principal
from shared.http.api import Api
from shared.http.keys import POOL

api = Api()

BACK_OFFICE = ("back office",)
ADMIN_CANDIDATURES = "/api/v1/admin/candidatures"


@api.get(
    ADMIN_CANDIDATURES,
    query=RechercheQuery,
    response=PageCandidatures,
    roles=WINDOW_STAFF,
    tags=BACK_OFFICE,
    transactional=True,
    errors=(400,),
)
async def search_candidatures(
    request: web.Request, conn: asyncpg.Connection, query: RechercheQuery, principal: Principal
) -> PageCandidatures:
    """Saved candidatures in the order of their names, a page at a time: pass `next_cursor`
    back as `cursor` with the same filters (400 when it was altered or the filters changed)."""
    return await recherche.search(conn, query, principal, request.app[DEPS])


@api.get(
    ADMIN_CANDIDATURES + "/export.csv",
    query=ExportQuery,
    roles=WINDOW_STAFF,
    tags=BACK_OFFICE,
)
async def export_candidatures(
    request: web.Request, query: ExportQuery, principal: Principal
) -> web.StreamResponse:
    """The search's candidatures as CSV (UTF-8 with a BOM, `;`), one line each, streamed from
    one snapshot. The audit rows are committed before the first byte (see handlers.recherche:
    the documented exception to one transaction per request)."""
    deps = request.app[DEPS]
    async with request.app[POOL].acquire() as conn:
        async with conn.transaction():
            plan = await recherche.export_plan(conn, query, principal, deps)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/csv; charset=utf-8",
                "Content-Disposition": 'attachment; filename="candidatures.csv"',
                "Cache-Control": "no-store",
            }
        )
        await response.prepare(request)
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            async for chunk in recherche.export_chunks(conn, plan):
                await response.write(chunk)
        await response.write_eof()
    return response


@api.get(
    ADMIN_CANDIDATURES + "/counts",
    query=ComptesQuery,
    response=Comptes,
    roles=WINDOW_STAFF,
    tags=BACK_OFFICE,
    transactional=True,
)
async def count_candidatures(
    request: web.Request, conn: asyncpg.Connection, query: ComptesQuery, principal: Principal
) -> Comptes:
    """Per status, spécialité, catégorie and établissement for an examen and session: one
    académie, the gestionnaire's académies, or (administrateurs, no `academie`) the nation."""
    return await recherche.counts(conn, query, principal, request.app[DEPS])
