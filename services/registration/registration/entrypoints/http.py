"""HTTP entrypoints: public référentiel reads, "Ouverture des services", admin changes."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import asyncpg
from aiohttp import web

from registration.adapters import fenetres as fenetres_sql
from registration.adapters import identites as identites_sql
from registration.adapters import referentiel as sql
from registration.adapters.read_cache import READ_CACHE
from registration.clock import CLOCK
from registration.domain.imports import (
    KINDS,
    ImportBatch,
    ImportRefused,
    Issue,
    csv_batch,
    parse_batch,
    parse_key,
)
from registration.domain.referentiel import (
    FIRST_YEAR,
    LAST_YEAR,
    Academie,
    Categorie,
    Diplome,
    Etablissement,
    Examen,
    Session,
    Specialite,
    TypeAcquis,
    epreuve_tree,
)
from registration.entrypoints.schemas import (
    EtablissementFilter,
    IdentiteLocale,
    ImportQuery,
    ImportSummary,
    NouvelleFenetre,
    Ouverture,
    OuvertureFilter,
    PeriodeFenetre,
    RemovalResult,
    SpecialiteDetail,
)
from registration.handlers import fenetres, referentiel
from shared.auth import Principal, Role
from shared.bus.admin import dead_letter_api
from shared.db import in_transaction
from shared.http.api import Api
from shared.http.keys import POOL
from shared.http.problems import FieldError, ProblemError, conflict, not_found

T = TypeVar("T")

api = Api()
api.endpoints.extend(dead_letter_api().endpoints)

ADMIN = (Role.ADMINISTRATEUR,)
WINDOW_STAFF = (Role.GESTIONNAIRE, Role.ADMINISTRATEUR)
REFERENTIEL = ("référentiel",)
MAX_BIGINT = 2**63 - 1
SESSION_PATH = "/api/v1/examens/{examen}/sessions/{session:\\d+}"


async def _read(request: web.Request, query: Callable[..., Awaitable[T]], *args: Any) -> T:
    async with request.app[POOL].acquire() as conn:
        return await query(conn, *args)


async def _public(request: web.Request, query: Callable[..., Awaitable[T]], *args: Any) -> T:
    """A public read, served from the read cache when it is fresh."""
    found: T = await request.app[READ_CACHE].get(
        (query.__name__, args), lambda: _read(request, query, *args)
    )
    return found


def _field_errors(issues: list[Issue]) -> list[FieldError]:
    return [FieldError(field=i.field, message=i.message, code=i.code) for i in issues]


@contextmanager
def _domain_errors() -> Iterator[None]:
    """Refusals of the domain become problem+json answers."""
    try:
        yield
    except ImportRefused as exc:
        detail = f"{len(exc.issues)} problem(s); nothing was changed"
        raise ProblemError(
            422, "import-refused", "The import is refused", detail, _field_errors(exc.issues)
        ) from None
    except fenetres.FenetreRefused as exc:
        detail = f"{len(exc.issues)} problem(s)"
        raise ProblemError(
            422, "window-refused", "The window is refused", detail, _field_errors(exc.issues)
        ) from None
    except fenetres.FenetreOverlaps as exc:
        others = ", ".join(f"#{other}" for other in exc.others) or "another window"
        detail = f"The window overlaps {others} of the same examen, session and académie"
        raise conflict("window-overlap", detail) from None
    except fenetres.FenetreNotFound as exc:
        raise not_found(f"Window {exc}") from None


# --- public reads ------------------------------------------------------------------------------


@api.get("/api/v1/examens", response=list[Examen], tags=REFERENTIEL)
async def examens(request: web.Request) -> list[Examen]:
    return await _public(request, sql.list_examens)


@api.get("/api/v1/examens/{examen}/sessions", response=list[Session], tags=REFERENTIEL)
async def sessions(request: web.Request) -> list[Session]:
    return await _public(request, sql.list_sessions, request.match_info["examen"])


@api.get("/api/v1/academies", response=list[Academie], tags=REFERENTIEL)
async def academies(request: web.Request) -> list[Academie]:
    return await _public(request, sql.list_academies)


def _session(request: web.Request) -> int | None:
    """The session of a path; None for a year no session can have (nor the column hold)."""
    annee = int(request.match_info["session"])
    return annee if FIRST_YEAR <= annee <= LAST_YEAR else None


@api.get(SESSION_PATH + "/specialites", response=list[Specialite], tags=REFERENTIEL)
async def specialites(request: web.Request) -> list[Specialite]:
    examen, session = request.match_info["examen"], _session(request)
    if session is None:
        return []
    return await _public(request, sql.list_specialites, examen, session)


@api.get(SESSION_PATH + "/specialites/{code}", response=SpecialiteDetail, tags=REFERENTIEL)
async def specialite(request: web.Request) -> SpecialiteDetail:
    key = (request.match_info["examen"], _session(request))
    code = request.match_info["code"]
    found = None if key[1] is None else await _public(request, sql.get_specialite, *key, code)
    if found is None:
        raise not_found(f"Spécialité {key[0]} {key[1]} {code}")
    specialite, epreuves = found
    return SpecialiteDetail(**specialite.model_dump(), epreuves=epreuve_tree(epreuves))


@api.get("/api/v1/categories", response=list[Categorie], tags=REFERENTIEL)
async def categories(request: web.Request) -> list[Categorie]:
    return await _public(request, sql.list_categories)


@api.get(
    "/api/v1/etablissements",
    query=EtablissementFilter,
    response=list[Etablissement],
    tags=REFERENTIEL,
)
async def etablissements(request: web.Request, query: EtablissementFilter) -> list[Etablissement]:
    return await _public(request, sql.list_etablissements, query.academie, query.categorie)


@api.get("/api/v1/types-acquis", response=list[TypeAcquis], tags=REFERENTIEL)
async def types_acquis(request: web.Request) -> list[TypeAcquis]:
    return await _public(request, sql.list_types_acquis)


@api.get("/api/v1/diplomes", response=list[Diplome], tags=REFERENTIEL)
async def diplomes(request: web.Request) -> list[Diplome]:
    return await _public(request, sql.list_diplomes)


@api.get(
    "/api/v1/ouvertures", query=OuvertureFilter, response=list[Ouverture], tags=("ouvertures",)
)
async def ouvertures(request: web.Request, query: OuvertureFilter) -> list[Ouverture]:
    """The Grand Public windows; an empty list means no service for that choice."""
    rows = await _public(
        request, fenetres_sql.list_ouvertures, query.domaine, query.session, query.academie
    )
    now = request.app[CLOCK].now()
    return [Ouverture.of(row, now) for row in rows]


@api.get("/api/v1/identite", response=IdentiteLocale, roles=(Role.CANDIDAT,), tags=("identite",))
async def identite(request: web.Request, principal: Principal) -> IdentiteLocale:
    """The candidate's identity as the accounts service last announced it."""
    row = await _read(request, identites_sql.get_identite, principal.account_id)
    if row is None:
        raise not_found("Your identity (not yet received from the accounts service)")
    return IdentiteLocale(
        account_id=row["account_id"],
        email=row["email"],
        activated=row["activated_at"] is not None,
        identite=row["identite"],
    )


# --- administrateurs: the référentiel ----------------------------------------------------------


async def _batch_from(request: web.Request, kind: str | None) -> ImportBatch:
    """A JSON batch, or the CSV of one kind of item; both read whole within the body limit."""
    raw = await request.read()
    if request.content_type == "text/csv":
        if kind is None:
            raise ImportRefused([Issue("kind", "a CSV import names its kind", "missing-kind")])
        return csv_batch(raw, kind)
    if request.content_type != "application/json":
        raise ProblemError(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            "An import is application/json or text/csv (UTF-8)",
        )
    return parse_batch(_json(raw))


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProblemError(400, "malformed-json", "Malformed JSON", str(exc)) from None


async def _apply(request: web.Request, batch: ImportBatch) -> ImportSummary:
    async with request.app[POOL].acquire() as conn, conn.transaction():
        applied = await referentiel.import_batch(conn, batch)
    request.app[READ_CACHE].clear()
    return ImportSummary(applied=applied)


@api.post(
    "/api/v1/admin/referentiel/import",
    query=ImportQuery,
    response=ImportSummary,
    roles=ADMIN,
    tags=REFERENTIEL,
)
async def import_referentiel(
    request: web.Request, query: ImportQuery, principal: Principal
) -> ImportSummary:
    """A batch applied whole or not at all; a refusal lists every problem."""
    with _domain_errors():
        return await _apply(request, await _batch_from(request, query.kind))


@api.put("/api/v1/admin/referentiel/{kind}", response=ImportSummary, roles=ADMIN, tags=REFERENTIEL)
async def put_item(request: web.Request, principal: Principal) -> ImportSummary:
    """Create or change one item (a spécialité may carry its épreuve tree)."""
    kind = request.match_info["kind"]
    if kind not in KINDS:
        raise not_found(f"The kind of item {kind!r}")
    if request.content_type != "application/json":
        raise ProblemError(415, "unsupported-media-type", "Unsupported media type")
    with _domain_errors():
        return await _apply(request, parse_batch({kind: [_json(await request.read())]}))


@api.delete(
    "/api/v1/admin/referentiel/{kind}/{key:.+}",
    response=RemovalResult,
    roles=ADMIN,
    tags=REFERENTIEL,
)
async def remove_item(request: web.Request, principal: Principal) -> RemovalResult:
    """Deleted when nothing refers to it, retired (hidden, kept) otherwise."""
    kind = request.match_info["kind"]
    with _domain_errors():
        key = parse_key(kind, request.match_info["key"].split("/"))
    async with request.app[POOL].acquire() as conn, conn.transaction():
        result = await referentiel.remove_item(conn, kind, key)
    request.app[READ_CACHE].clear()
    if result is referentiel.Removal.NOT_FOUND:
        raise not_found(f"{kind} {'/'.join(map(str, key))}")
    return RemovalResult(kind=kind, key=list(key), result=result)


# --- gestionnaires: the windows of their académies ---------------------------------------------


async def _ouverture(conn: asyncpg.Connection, request: web.Request, fenetre_id: int) -> Ouverture:
    row = await fenetres_sql.get_ouverture(conn, fenetre_id)
    assert row is not None
    return Ouverture.of(row, request.app[CLOCK].now())


@api.post(
    "/api/v1/admin/fenetres",
    body=NouvelleFenetre,
    response=Ouverture,
    status=201,
    roles=WINDOW_STAFF,
    tags=("ouvertures",),
)
async def create_fenetre(
    request: web.Request, body: NouvelleFenetre, principal: Principal
) -> Ouverture:
    key = (body.examen, body.session, body.academie)

    async def create(conn: asyncpg.Connection) -> Ouverture:
        with _domain_errors():
            fenetre_id = await fenetres.create_fenetre(conn, *key, body.periode(), principal)
        return await _ouverture(conn, request, fenetre_id)

    # Concurrent inserts checked by the exclusion constraint can deadlock: retried whole.
    created = await in_transaction(request.app[POOL], create)
    request.app[READ_CACHE].clear()
    return created


@api.put(
    "/api/v1/admin/fenetres/{id:\\d+}",
    body=PeriodeFenetre,
    response=Ouverture,
    roles=WINDOW_STAFF,
    tags=("ouvertures",),
)
async def move_fenetre(
    request: web.Request, body: PeriodeFenetre, principal: Principal
) -> Ouverture:
    fenetre_id = int(request.match_info["id"])
    if fenetre_id > MAX_BIGINT:
        raise not_found(f"Window {fenetre_id}")

    async def move(conn: asyncpg.Connection) -> Ouverture:
        with _domain_errors():
            await fenetres.move_fenetre(conn, fenetre_id, body.periode(), principal)
        return await _ouverture(conn, request, fenetre_id)

    moved = await in_transaction(request.app[POOL], move)
    request.app[READ_CACHE].clear()
    return moved
