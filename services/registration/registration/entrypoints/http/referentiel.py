"""Public reads of the référentiel (no token), served through the read cache: the lists and
the spécialité with its épreuves as JSON serialised once per cache entry (`_cached_json`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from aiohttp import web

from registration.adapters import referentiel_sql as sql
from registration.domain.errors import NotFound
from registration.domain.referentiel import (
    FIRST_YEAR,
    LAST_YEAR,
    Academie,
    Categorie,
    Coordonnees,
    Diplome,
    Etablissement,
    Examen,
    Session,
    Specialite,
    TypeAcquis,
    epreuve_tree,
)
from registration.entrypoints.http._cached_json import cached_json, json_response
from registration.entrypoints.http._common import REFERENTIEL, public
from registration.entrypoints.schemas import (
    AcademieDetail,
    EtablissementFilter,
    ServiceQuery,
    SpecialiteDetail,
)
from shared.http.api import Api

api = Api()

SESSION_PATH = "/api/v1/examens/{examen}/sessions/{session:\\d+}"


async def _listed(
    request: web.Request, response: Any, query: Callable[..., Awaitable[Any]], *args: Any
) -> web.Response:
    """A list read: never None (`[]` when nothing matches)."""
    body = await cached_json(request, response, query, *args)
    assert body is not None
    return json_response(body)


@api.get("/api/v1/examens", response=list[Examen], tags=REFERENTIEL)
async def examens(request: web.Request) -> web.Response:
    return await _listed(request, list[Examen], sql.list_examens)


@api.get("/api/v1/examens/{examen}/sessions", response=list[Session], tags=REFERENTIEL)
async def sessions(request: web.Request) -> web.Response:
    return await _listed(request, list[Session], sql.list_sessions, request.match_info["examen"])


@api.get("/api/v1/academies", response=list[Academie], tags=REFERENTIEL)
async def academies(request: web.Request) -> web.Response:
    return await _listed(request, list[Academie], sql.list_academies)


@api.get("/api/v1/academies/{code}", response=AcademieDetail, tags=REFERENTIEL)
async def academie(request: web.Request) -> AcademieDetail:
    """The académie and its service gestionnaire (the académie's own, whatever the examen)."""
    code = request.match_info["code"]
    found = await public(request, sql.get_academie, code)
    if found is None:
        raise NotFound(f"Académie {code}")
    office = await public(request, sql.get_service_gestionnaire, code, None)
    return AcademieDetail(**found.model_dump(), service_gestionnaire=office)


@api.get(
    "/api/v1/academies/{code}/service-gestionnaire",
    query=ServiceQuery,
    response=Coordonnees,
    tags=REFERENTIEL,
)
async def service_gestionnaire(request: web.Request, query: ServiceQuery) -> Coordonnees:
    """The office a candidate of the académie (and examen) contacts."""
    code = request.match_info["code"]
    found = await public(request, sql.get_service_gestionnaire, code, query.examen)
    if found is None:
        raise NotFound(f"The service gestionnaire of académie {code}")
    return found


def _session(request: web.Request) -> int | None:
    """The session of a path; None for a year no session can have (nor the column hold)."""
    annee = int(request.match_info["session"])
    return annee if FIRST_YEAR <= annee <= LAST_YEAR else None


@api.get(SESSION_PATH + "/specialites", response=list[Specialite], tags=REFERENTIEL)
async def specialites(request: web.Request) -> list[Specialite] | web.Response:
    examen, session = request.match_info["examen"], _session(request)
    if session is None:
        return []
    return await _listed(request, list[Specialite], sql.list_specialites, examen, session)


@api.get(SESSION_PATH + "/specialites/{code}", response=SpecialiteDetail, tags=REFERENTIEL)
async def specialite(request: web.Request) -> web.Response:
    key = (request.match_info["examen"], _session(request))
    code = request.match_info["code"]
    found = None
    if key[1] is not None:
        found = await cached_json(request, SpecialiteDetail, specialite_detail, *key, code)
    if found is None:
        raise NotFound(f"Spécialité {key[0]} {key[1]} {code}")
    return json_response(found)


async def specialite_detail(
    conn: asyncpg.Connection, examen: str, annee: int, code: str
) -> SpecialiteDetail | None:
    """The spécialité with its épreuve tree, as the route answers it (built on a miss)."""
    found = await sql.get_specialite(conn, examen, annee, code)
    if found is None:
        return None
    specialite, epreuves = found
    return SpecialiteDetail(**specialite.model_dump(), epreuves=epreuve_tree(epreuves))


@api.get("/api/v1/categories", response=list[Categorie], tags=REFERENTIEL)
async def categories(request: web.Request) -> web.Response:
    return await _listed(request, list[Categorie], sql.list_categories)


@api.get(
    "/api/v1/etablissements",
    query=EtablissementFilter,
    response=list[Etablissement],
    tags=REFERENTIEL,
)
async def etablissements(request: web.Request, query: EtablissementFilter) -> web.Response:
    return await _listed(
        request, list[Etablissement], sql.list_etablissements, query.academie, query.categorie
    )


@api.get("/api/v1/types-acquis", response=list[TypeAcquis], tags=REFERENTIEL)
async def types_acquis(request: web.Request) -> web.Response:
    return await _listed(request, list[TypeAcquis], sql.list_types_acquis)


@api.get("/api/v1/diplomes", response=list[Diplome], tags=REFERENTIEL)
async def diplomes(request: web.Request) -> web.Response:
    return await _listed(request, list[Diplome], sql.list_diplomes)
