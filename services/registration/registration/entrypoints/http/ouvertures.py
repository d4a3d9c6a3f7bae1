""" "Ouverture des services": the public listing of Grand Public windows."""

from __future__ import annotations

from aiohttp import web

from registration.adapters import fenetres_sql
from registration.deps import DEPS
from registration.entrypoints.http._common import OUVERTURES, public
from registration.entrypoints.schemas import Ouverture, OuvertureFilter
from shared.http.api import Api

api = Api()


@api.get("/api/v1/ouvertures", query=OuvertureFilter, response=list[Ouverture], tags=OUVERTURES)
async def ouvertures(request: web.Request, query: OuvertureFilter) -> list[Ouverture]:
    """The Grand Public windows; an empty list means no service for that choice. Whether a
    window is open is computed at each request, from the cached instants."""
    rows = await public(
        request, fenetres_sql.list_ouvertures, query.domaine, query.session, query.academie
    )
    now = request.app[DEPS].clock.now()
    return [Ouverture.of(row, now) for row in rows]
