"""The candidate's read of the aménagement granted on their candidature (handler in
`handlers/amenagements.py`); gestionnaires read it in the back office's detail."""

from __future__ import annotations

import uuid

import asyncpg
from aiohttp import web

from registration.deps import DEPS
from registration.entrypoints.schemas import MonAmenagementView
from registration.handlers import amenagements
from shared.auth import Principal, Role
from shared.http.api import Api
from shared.http.problems import not_found

api = Api()


def _id(request: web.Request) -> uuid.UUID:
    try:
        return uuid.UUID(request.match_info["id"])
    except ValueError:
        raise not_found(f"Candidature {request.match_info['id'][:40]}") from None


@api.get(
    "/api/v1/candidatures/{id:[0-9a-fA-F-]+}/amenagement",
    response=MonAmenagementView,
    roles=(Role.CANDIDAT,),
    tags=("candidatures",),
    transactional=True,
    summary="The aménagement granted on my candidature (health data: mine only)",
)
async def mon_amenagement(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> MonAmenagementView:
    return await amenagements.mine(conn, _id(request), principal, request.app[DEPS])
