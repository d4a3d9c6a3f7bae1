"""The candidate's identity, projected from the accounts service's events."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from registration.deps import DEPS
from registration.entrypoints.schemas import IdentiteLocale
from registration.handlers import identites
from shared.auth import Principal, Role
from shared.http.api import Api

api = Api()


@api.get(
    "/api/v1/identite",
    errors=(404,),
    response=IdentiteLocale,
    roles=(Role.CANDIDAT,),
    tags=("identite",),
    transactional=True,
)
async def identite(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> IdentiteLocale:
    return await identites.get(conn, principal.account_id, request.app[DEPS])
