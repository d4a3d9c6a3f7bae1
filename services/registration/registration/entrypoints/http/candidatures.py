"""The candidate's candidatures: M'inscrire, the wizard's tabs, Enregistrer, Mes inscriptions,
the versions, Se désinscrire (handlers in `handlers/candidatures.py`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from aiohttp import web

from registration.deps import DEPS
from registration.domain.candidature import MODELS, SAISIE, Onglet, Tab
from registration.entrypoints.http._common import candidature_id, if_match
from registration.entrypoints.schemas import (
    CandidatureView,
    Desinscription,
    MaCandidature,
    NouvelleCandidature,
    NumeroInscription,
    OngletView,
    RecapitulatifView,
    VersionView,
)
from registration.handlers import candidatures
from shared.auth import Principal, Role
from shared.http.api import Api
from shared.http.problems import not_found

api = Api()

CANDIDAT = (Role.CANDIDAT,)
TAGS = ("candidatures",)
ID = "{id:[0-9a-fA-F-]+}"
BASE = f"/api/v1/candidatures/{ID}"
INPUT_TABS = "|".join(o.value for o in SAISIE)


@api.post(
    "/api/v1/candidatures",
    body=NouvelleCandidature,
    response=CandidatureView,
    status=201,
    roles=CANDIDAT,
    tags=TAGS,
    transactional=True,
    idempotent=True,
    errors=(409,),
    summary="M'inscrire: open a draft while the académie's window is open",
)
async def create_candidature(
    request: web.Request, conn: asyncpg.Connection, body: NouvelleCandidature, principal: Principal
) -> CandidatureView:
    return await candidatures.create(conn, body, principal, request.app[DEPS])


@api.get(
    "/api/v1/me/candidatures",
    response=list[MaCandidature],
    roles=CANDIDAT,
    tags=TAGS,
    transactional=True,
    summary="Mes inscriptions: active candidatures of open windows",
)
async def my_candidatures(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> list[MaCandidature]:
    return await candidatures.mine(conn, principal, request.app[DEPS])


@api.get(
    BASE,
    response=CandidatureView,
    roles=CANDIDAT,
    tags=TAGS,
    transactional=True,
    summary="A candidature: tabs complete, the next one, numbers, versions",
)
async def get_candidature(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> CandidatureView:
    return await candidatures.view(conn, candidature_id(request), principal, request.app[DEPS])


@api.get(
    f"{BASE}/onglets/{{onglet:{INPUT_TABS}}}",
    response=OngletView,
    roles=CANDIDAT,
    tags=TAGS,
    transactional=True,
    summary="One input tab of the wizard",
)
async def get_onglet(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> OngletView:
    onglet = Onglet(request.match_info["onglet"])
    return await candidatures.get_tab(
        conn, candidature_id(request), onglet, principal, request.app[DEPS]
    )


@api.get(
    f"{BASE}/onglets/recapitulatif",
    response=RecapitulatifView,
    roles=CANDIDAT,
    tags=TAGS,
    transactional=True,
    summary="The récapitulatif: computed, nothing saved",
)
async def get_recapitulatif(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> RecapitulatifView:
    return await candidatures.recapitulatif(
        conn, candidature_id(request), principal, request.app[DEPS]
    )


def _put_tab(onglet: Onglet, model: type[Tab]) -> Callable[..., Awaitable[OngletView]]:
    async def put_onglet(
        request: web.Request, conn: asyncpg.Connection, body: Any, principal: Principal
    ) -> OngletView:
        deps = request.app[DEPS]
        return await candidatures.put_tab(
            conn, candidature_id(request), onglet, body, principal, deps
        )

    put_onglet.__name__ = f"put_{onglet.name.lower()}"
    return put_onglet


for _onglet in SAISIE:
    api.put(
        f"{BASE}/onglets/{_onglet.value}",
        body=MODELS[_onglet],
        response=OngletView,
        roles=CANDIDAT,
        tags=TAGS,
        transactional=True,
        errors=(409,),
        summary=f"Save the tab {_onglet.value} (checked alone; 422 lists every problem)",
    )(_put_tab(_onglet, MODELS[_onglet]))


@api.post(
    f"{BASE}/enregistrer",
    response=NumeroInscription,
    status=201,
    roles=CANDIDAT,
    tags=TAGS,
    transactional=True,
    idempotent=True,
    errors=(409, 412),
    summary="Enregistrer (signing): Version n+1, numbers, the N° Inscription tab",
)
async def enregistrer(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> NumeroInscription:
    expected = if_match(request)
    deps = request.app[DEPS]
    return await candidatures.enregistrer(conn, candidature_id(request), expected, principal, deps)


@api.get(
    f"{BASE}/versions/{{version:\\d+}}",
    response=VersionView,
    roles=CANDIDAT,
    tags=TAGS,
    transactional=True,
    summary="A saved version's snapshot",
)
async def get_version(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> VersionView:
    version = int(request.match_info["version"])
    if version > 2**31 - 1:
        raise not_found(f"Version {version}")
    deps = request.app[DEPS]
    return await candidatures.get_version(conn, candidature_id(request), version, principal, deps)


@api.post(
    f"{BASE}/desinscrire",
    body=Desinscription,
    response=CandidatureView,
    roles=CANDIDAT,
    tags=TAGS,
    transactional=True,
    idempotent=True,
    errors=(409,),
    summary="Se désinscrire while the window is open (explicit confirmation)",
)
async def desinscrire(
    request: web.Request, conn: asyncpg.Connection, body: Desinscription, principal: Principal
) -> CandidatureView:
    return await candidatures.desinscrire(
        conn, candidature_id(request), principal, request.app[DEPS]
    )
