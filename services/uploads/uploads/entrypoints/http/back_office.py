"""The back office: declared groups waiting to be checked, a candidature's pièces with every
file's history, a file's download (audited, streamed from the bucket), statuses one by one or
in bulk, and the groups' dates limites. Gestionnaires within their académies, administrateurs
everywhere.

The download commits its audit row before the first byte is streamed (the documented
exception to one transaction per request: a download that cannot be audited does not start),
and holds no pooled connection while it streams."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from shared.auth import Principal, Role
from shared.db import in_transaction
from shared.http.api import Api
from shared.http.keys import POOL
from uploads.deps import DEPS
from uploads.entrypoints.http.receiving import path_uuid
from uploads.entrypoints.http.streaming import stream
from uploads.entrypoints.problems import PROBLEMS
from uploads.entrypoints.schemas import (
    AttenteQuery,
    BulkResult,
    BulkStatusChange,
    DateLimite,
    Demande,
    GroupeAdmin,
    GroupesQuery,
    MesPieces,
    PageAttente,
    PieceView,
    StatusChange,
    StatusChanged,
)
from uploads.handlers import back_office, demandes, referentiel, statuses
from uploads.handlers.back_office import Download

api = Api(problems=PROBLEMS)
STAFF = (Role.GESTIONNAIRE, Role.ADMINISTRATEUR)
TAGS = ("back office",)
UUID = "[0-9a-fA-F-]+"
ADMIN = "/api/v1/admin"


@api.get(
    f"{ADMIN}/pieces/declarations",
    query=AttenteQuery,
    response=PageAttente,
    roles=STAFF,
    tags=TAGS,
    transactional=True,
    errors=(400,),
)
async def declared_groups(
    request: web.Request, conn: asyncpg.Connection, query: AttenteQuery, principal: Principal
) -> PageAttente:
    """Groups declared provided, oldest declaration first, a page at a time: pass
    `next_cursor` back as `cursor` with the same filters (400 when altered or filters
    changed)."""
    return await back_office.waiting(conn, query, principal, request.app[DEPS])


@api.get(
    f"{ADMIN}/candidatures/{{candidature_id:{UUID}}}/pieces",
    response=MesPieces,
    roles=STAFF,
    tags=TAGS,
    transactional=True,
    summary="A candidature's pièces, each with every file it had (replaced, deleted)",
)
async def candidature_pieces(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> MesPieces:
    candidature_id = path_uuid(request, "candidature_id")
    return await back_office.candidature(conn, candidature_id, principal, request.app[DEPS])


@api.post(
    f"{ADMIN}/candidatures/{{candidature_id:{UUID}}}/pieces",
    body=Demande,
    response=PieceView,
    status=201,
    roles=STAFF,
    tags=TAGS,
    transactional=True,
    idempotent=True,
    errors=(409,),
    summary="Ask one candidature for one more pièce (its own group and date limite)",
)
async def request_piece(
    request: web.Request, conn: asyncpg.Connection, body: Demande, principal: Principal
) -> PieceView:
    candidature_id = path_uuid(request, "candidature_id")
    return await demandes.request_piece(conn, candidature_id, body, principal, request.app[DEPS])


@api.get(
    f"{ADMIN}/files/{{file_id:{UUID}}}",
    roles=STAFF,
    tags=TAGS,
    summary="Download a pièce's file (audited; streamed)",
)
async def download_file(request: web.Request, principal: Principal) -> web.StreamResponse:
    file_id = path_uuid(request, "file_id")
    deps = request.app[DEPS]

    async def audited(conn: asyncpg.Connection) -> Download:
        return await back_office.download(conn, file_id, principal, deps)

    found = await in_transaction(request.app[POOL], audited)
    return await stream(request, found)


@api.post(
    f"{ADMIN}/pieces/{{piece_id:{UUID}}}/status",
    body=StatusChange,
    response=StatusChanged,
    roles=STAFF,
    tags=TAGS,
    transactional=True,
    errors=(409,),
    summary="Set a pièce's status (recue, conforme, non_conforme with a comment)",
)
async def set_status(
    request: web.Request, conn: asyncpg.Connection, body: StatusChange, principal: Principal
) -> StatusChanged:
    piece_id = path_uuid(request, "piece_id")
    return await statuses.set_status(conn, piece_id, body, principal, request.app[DEPS])


@api.post(
    f"{ADMIN}/pieces/statuses",
    body=BulkStatusChange,
    response=BulkResult,
    roles=STAFF,
    tags=TAGS,
    transactional=True,
    errors=(404, 409),
    summary="Set many pièces' statuses at once (all or nothing)",
)
async def set_statuses(
    request: web.Request, conn: asyncpg.Connection, body: BulkStatusChange, principal: Principal
) -> BulkResult:
    return await statuses.set_statuses(conn, body, principal, request.app[DEPS])


@api.put(
    f"{ADMIN}/groupes",
    body=DateLimite,
    response=GroupeAdmin,
    roles=STAFF,
    tags=TAGS,
    transactional=True,
    errors=(404,),
    summary="Set a group's date limite for an examen, session and académie",
)
async def set_date_limite(
    request: web.Request, conn: asyncpg.Connection, body: DateLimite, principal: Principal
) -> GroupeAdmin:
    return await referentiel.set_date_limite(conn, body, principal, request.app[DEPS])


@api.get(
    f"{ADMIN}/groupes",
    query=GroupesQuery,
    response=list[GroupeAdmin],
    roles=STAFF,
    tags=TAGS,
    transactional=True,
    summary="The groups of an examen and session, with their dates limites",
)
async def list_groupes(
    request: web.Request, conn: asyncpg.Connection, query: GroupesQuery, principal: Principal
) -> list[GroupeAdmin]:
    return await referentiel.list_groupes(conn, query, principal)
