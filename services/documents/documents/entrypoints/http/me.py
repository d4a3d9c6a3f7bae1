"""Mes documents (candidat, own candidatures only).

A download is streamed from the bucket (`Content-Type`, a safe `Content-Disposition` file name,
`ETag` = the SHA-256 recorded at the put, 304 on `If-None-Match`), not a presigned URL: the
object store stays off the public network, the access check is made on every download and
logged like any request, and no link can be passed on for its validity. The route holds no
pooled connection while it streams (the row is read first)."""

from __future__ import annotations

import uuid

import asyncpg
from aiohttp import web

from documents.deps import DEPS
from documents.domain.errors import CandidatureNotFound, DocumentNotFound
from documents.entrypoints.problems import PROBLEMS
from documents.entrypoints.schemas import DocumentView, MaCandidature
from documents.handlers import mes_documents
from shared.auth import Principal, Role
from shared.http.api import Api
from shared.http.keys import POOL
from shared.http.streaming import stream_object

api = Api(problems=PROBLEMS)
CANDIDAT = (Role.CANDIDAT,)
TAGS = ("mes documents",)
UUID = "[0-9a-fA-F-]+"


def _uuid(request: web.Request, name: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError:
        return None


@api.get(
    "/api/v1/me/candidatures",
    response=list[MaCandidature],
    roles=CANDIDAT,
    tags=TAGS,
    transactional=True,
    summary="Mes documents: my candidatures that have documents, latest document first",
)
async def my_candidatures(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> list[MaCandidature]:
    found = await mes_documents.candidatures(conn, principal, request.app[DEPS])
    return [MaCandidature.model_validate(dict(row)) for row in found]


@api.get(
    f"/api/v1/me/candidatures/{{candidature_id:{UUID}}}/documents",
    response=list[DocumentView],
    roles=CANDIDAT,
    tags=TAGS,
    transactional=True,
    summary="The documents of one of my candidatures, newest first",
)
async def my_documents(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> list[DocumentView]:
    candidature_id = _uuid(request, "candidature_id")
    if candidature_id is None:
        raise CandidatureNotFound(uuid.UUID(int=0))
    found = await mes_documents.documents(conn, candidature_id, principal, request.app[DEPS])
    return [DocumentView.model_validate(dict(row)) for row in found]


@api.get(
    f"/api/v1/me/documents/{{document_id:{UUID}}}",
    roles=CANDIDAT,
    tags=TAGS,
    summary="Download one of my documents (application/pdf, streamed)",
)
async def download_document(request: web.Request, principal: Principal) -> web.StreamResponse:
    document_id = _uuid(request, "document_id")
    if document_id is None:
        raise DocumentNotFound(uuid.UUID(int=0))
    async with request.app[POOL].acquire() as conn:
        found = await mes_documents.download(conn, document_id, principal, request.app[DEPS])
    return await stream_object(
        request,
        key=found.object_key,
        size=found.size,
        sha256=found.sha256,
        content_type=found.content_type,
        file_name=found.file_name,
        cache_control="private, no-cache",
    )
