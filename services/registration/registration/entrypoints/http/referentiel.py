"""Public reads of the référentiel (no token), served through the read cache."""

from __future__ import annotations

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


@api.get("/api/v1/examens", response=list[Examen], tags=REFERENTIEL)
async def examens(request: web.Request) -> list[Examen]:
    return await public(request, sql.list_examens)


@api.get("/api/v1/examens/{examen}/sessions", response=list[Session], tags=REFERENTIEL)
async def sessions(request: web.Request) -> list[Session]:
    return await public(request, sql.list_sessions, request.match_info["examen"])


@api.get("/api/v1/academies", response=list[Academie], tags=REFERENTIEL)
async def academies(request: web.Request) -> list[Academie]:
    return await public(request, sql.list_academies)


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
async def specialites(request: web.Request) -> list[Specialite]:
    examen, session = request.match_info["examen"], _session(request)
    if session is None:
        return []
    return await public(request, sql.list_specialites, examen, session)


@api.get(SESSION_PATH + "/specialites/{code}", response=SpecialiteDetail, tags=REFERENTIEL)
async def specialite(request: web.Request) -> SpecialiteDetail:
    key = (request.match_info["examen"], _session(request))
    code = request.match_info["code"]
    found = None if key[1] is None else await public(request, sql.get_specialite, *key, code)
    if found is None:
        raise NotFound(f"Spécialité {key[0]} {key[1]} {code}")
    specialite, epreuves = found
    return SpecialiteDetail(**specialite.model_dump(), epreuves=epreuve_tree(epreuves))


@api.get("/api/v1/categories", response=list[Categorie], tags=REFERENTIEL)
async def categories(request: web.Request) -> list[Categorie]:
    return await public(request, sql.list_categories)


@api.get(
    "/api/v1/etablissements",
    query=EtablissementFilter,
    response=list[Etablissement],
    tags=REFERENTIEL,
)
async def etablissements(request: web.Request, query: EtablissementFilter) -> list[Etablissement]:
    return await public(request, sql.list_etablissements, query.academie, query.categorie)


@api.get("/api/v1/types-acquis", response=list[TypeAcquis], tags=REFERENTIEL)
async def types_acquis(request: web.Request) -> list[TypeAcquis]:
    return await public(request, sql.list_types_acquis)


@api.get("/api/v1/diplomes", response=list[Diplome], tags=REFERENTIEL)
async def diplomes(request: web.Request) -> list[Diplome]:
    return await public(request, sql.list_diplomes)
