"""Gestionnaires (their own académies) and administrateurs create and move windows."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from registration.deps import DEPS
from registration.entrypoints.http._common import OUVERTURES, WINDOW_STAFF, referentiel_changed
from registration.entrypoints.schemas import NouvelleFenetre, Ouverture, PeriodeFenetre
from registration.handlers import fenetres
from shared.auth import Principal
from shared.http.api import Api

api = Api()


@api.post(
    "/api/v1/admin/fenetres",
    errors=(409,),
    body=NouvelleFenetre,
    response=Ouverture,
    status=201,
    roles=WINDOW_STAFF,
    tags=OUVERTURES,
    transactional=True,
    idempotent=True,
)
async def create_fenetre(
    request: web.Request, conn: asyncpg.Connection, body: NouvelleFenetre, principal: Principal
) -> Ouverture:
    created = await fenetres.create(conn, body, principal, request.app[DEPS])
    referentiel_changed(request)
    return created


@api.put(
    "/api/v1/admin/fenetres/{id:\\d+}",
    errors=(409,),
    body=PeriodeFenetre,
    response=Ouverture,
    roles=WINDOW_STAFF,
    tags=OUVERTURES,
    transactional=True,
)
async def move_fenetre(
    request: web.Request, conn: asyncpg.Connection, body: PeriodeFenetre, principal: Principal
) -> Ouverture:
    fenetre_id = int(request.match_info["id"])
    moved = await fenetres.move(conn, fenetre_id, body, principal, request.app[DEPS])
    referentiel_changed(request)
    return moved
