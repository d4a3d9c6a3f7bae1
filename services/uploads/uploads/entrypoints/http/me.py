"""Mes justificatifs (candidat, own candidatures only: another's is a 404).

An upload is `multipart/form-data` with a `file` field; it is received, scanned, checked and
stored by `receiving.receive_file` before the transaction that records it. It is not
idempotent (a repeated upload adds a second file, which the candidate can delete): the body is
streamed, never kept to be compared."""

from __future__ import annotations

import uuid

import asyncpg
from aiohttp import web

from shared.auth import Principal, Role
from shared.http.api import Api
from shared.http.keys import POOL
from uploads.adapters.spool import FILE_FIELD
from uploads.deps import DEPS
from uploads.entrypoints.http.receiving import path_uuid, receive_file
from uploads.entrypoints.http.streaming import stream
from uploads.entrypoints.problems import PROBLEMS
from uploads.entrypoints.schemas import FileView, MesPieces
from uploads.handlers import files, mes_pieces
from uploads.handlers.files import Received

api = Api(problems=PROBLEMS)
CANDIDAT = (Role.CANDIDAT,)
TAGS = ("mes justificatifs",)
UUID = "[0-9a-fA-F-]+"
CANDIDATURE = f"/api/v1/me/candidatures/{{candidature_id:{UUID}}}"
PIECE = f"{CANDIDATURE}/pieces/{{piece_id:{UUID}}}"
FILE = f"{PIECE}/files/{{file_id:{UUID}}}"
MULTIPART = ("multipart/form-data",)
UPLOAD_ERRORS = (409, 413, 422)


@api.get(
    f"{CANDIDATURE}/pieces",
    response=MesPieces,
    roles=CANDIDAT,
    tags=TAGS,
    transactional=True,
    summary="Mes justificatifs: the pièces of one of my candidatures, by group",
)
async def my_pieces(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> MesPieces:
    candidature_id = path_uuid(request, "candidature_id")
    return await mes_pieces.view(conn, candidature_id, principal, request.app[DEPS])


@api.post(
    f"{PIECE}/files",
    response=FileView,
    status=201,
    roles=CANDIDAT,
    tags=TAGS,
    media_types=MULTIPART,
    form_files=(FILE_FIELD,),
    transactional=True,
    around=receive_file,
    errors=UPLOAD_ERRORS,
    summary="Add a file to a pièce (multipart/form-data, field `file`)",
)
async def add_file(
    request: web.Request,
    conn: asyncpg.Connection,
    principal: Principal,
    received: Received,
    **_: object,
) -> FileView:
    return await _record(request, conn, principal, received)


@api.put(
    FILE,
    response=FileView,
    status=201,
    roles=CANDIDAT,
    tags=TAGS,
    media_types=MULTIPART,
    form_files=(FILE_FIELD,),
    transactional=True,
    around=receive_file,
    errors=UPLOAD_ERRORS,
    summary="Replace a file of a pièce (the replaced one stays in the history)",
)
async def replace_file(
    request: web.Request,
    conn: asyncpg.Connection,
    principal: Principal,
    received: Received,
    **_: object,
) -> FileView:
    return await _record(request, conn, principal, received, path_uuid(request, "file_id"))


async def _record(
    request: web.Request,
    conn: asyncpg.Connection,
    principal: Principal,
    received: Received,
    replaces: uuid.UUID | None = None,
) -> FileView:
    candidature_id = path_uuid(request, "candidature_id")
    piece_id = path_uuid(request, "piece_id")
    deps = request.app[DEPS]
    return await files.record(conn, candidature_id, piece_id, received, principal, deps, replaces)


@api.get(
    FILE,
    roles=CANDIDAT,
    tags=TAGS,
    summary="Download one of my current files (streamed)",
)
async def download_my_file(request: web.Request, principal: Principal) -> web.StreamResponse:
    async with request.app[POOL].acquire() as conn:
        found = await files.download(
            conn,
            path_uuid(request, "candidature_id"),
            path_uuid(request, "piece_id"),
            path_uuid(request, "file_id"),
            principal,
        )
    return await stream(request, found)


@api.delete(
    FILE,
    roles=CANDIDAT,
    tags=TAGS,
    transactional=True,
    errors=(409,),
    summary="Delete a file of a pièce, until the group is declared provided",
)
async def delete_file(request: web.Request, conn: asyncpg.Connection, principal: Principal) -> None:
    await files.delete(
        conn,
        path_uuid(request, "candidature_id"),
        path_uuid(request, "piece_id"),
        path_uuid(request, "file_id"),
        principal,
        request.app[DEPS],
    )


@api.post(
    f"{CANDIDATURE}/groupes/{{groupe_id:{UUID}}}/fournies",
    response=MesPieces,
    roles=CANDIDAT,
    tags=TAGS,
    transactional=True,
    idempotent=True,
    errors=(409, 422),
    summary="J'ai fourni toutes mes pièces: declare a group provided (locks its pièces)",
)
async def declare_provided(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> MesPieces:
    return await mes_pieces.declare(
        conn,
        path_uuid(request, "candidature_id"),
        path_uuid(request, "groupe_id"),
        principal,
        request.app[DEPS],
    )
