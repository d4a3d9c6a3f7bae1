"""Documents published by gestionnaires (gestionnaire role, own académies only): upload a PDF
for a candidature, generate one from a template (one candidature, or a batch for every
candidature matching a filter), follow a batch, list a candidature's documents, withdraw one.

An upload is read before its transaction (`around=`, `RawBody.read_within`): 413 as soon as it
is known to pass `gestion_upload_max_bytes` (from `Content-Length` before a byte is read, else
while counting; kept for the Idempotency-Key fingerprint), checked to be a PDF and given its
verification stamp on page 1 (`domain/pdf.py`, in a thread), put in the bucket under a generated
key; the transaction records it, its verification and `DocumentPublished`. An object whose
transaction did not record it (a failure, an Idempotency-Key replay) is removed when the
request ends, or collected later (`pending_objects`). Generations answer 202 with the batch:
the generation worker renders them.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from aiohttp import web

from documents.deps import CONFIG, DEPS
from documents.domain.errors import (
    BatchNotFound,
    CandidatureNotFound,
    DocumentNotFound,
)
from documents.domain.pdf import checked_and_stamped
from documents.entrypoints.gestion_schemas import (
    BatchesQuery,
    BatchSummary,
    BatchView,
    NewBatch,
    NewGeneration,
    NewWithdrawal,
    StaffDocumentView,
    UploadQuery,
)
from documents.entrypoints.problems import PROBLEMS
from documents.handlers import gestion
from documents.handlers.gestion import Upload
from shared.auth import Principal, Role
from shared.events.catalogue import DocumentKind
from shared.http.api import Api, RawBody
from shared.http.keys import POOL
from shared.http.streaming import storage_unavailable
from shared.storage import STORAGE, STORAGE_ERRORS, STORE

api = Api(problems=PROBLEMS)
GESTIONNAIRE = (Role.GESTIONNAIRE,)
TAGS = ("documents des gestionnaires",)
UUID = "[0-9a-fA-F-]+"
CANDIDATURE = f"/api/v1/admin/candidatures/{{candidature_id:{UUID}}}"
BATCHES = "/api/v1/admin/document-batches"


def _uuid(request: web.Request, name: str) -> uuid.UUID:
    """The path's id; a malformed one names nothing (404, as an unknown one)."""
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError:
        raise _not_found(name) from None


def _not_found(name: str) -> Exception:
    nil = uuid.UUID(int=0)
    if name == "candidature_id":
        return CandidatureNotFound(nil)
    if name == "batch_id":
        return BatchNotFound(nil)
    return DocumentNotFound(nil)


@contextlib.asynccontextmanager
async def stored_upload(
    request: web.Request, *, body: RawBody, query: UploadQuery, principal: Principal
) -> AsyncIterator[dict[str, Any]]:
    """Checked, stamped and stored before the transaction opens; removed unless it recorded
    it."""
    candidature_id = _uuid(request, "candidature_id")
    async with request.app[POOL].acquire() as conn:  # nothing is read for another académie
        _, version = await gestion.candidature(conn, candidature_id, principal)
    data = await body.read_within(request.app[CONFIG].gestion_upload_max_bytes)
    kind = DocumentKind(query.kind)
    issued = gestion.issue_for_upload(kind, version, data, query.title, request.app[DEPS])
    pdf = await asyncio.to_thread(checked_and_stamped, data, issued.stamp)
    document_id = uuid.uuid4()
    key = f"gestion/{document_id}.pdf"
    async with request.app[POOL].acquire() as conn:
        await gestion.expect_object(conn, key)
    try:
        stored = await request.app[STORE].put(key, pdf, "application/pdf")
    except STORAGE_ERRORS as exc:
        STORAGE.failed(exc)
        raise storage_unavailable() from None
    STORAGE.answered()
    upload = Upload(candidature_id, document_id, kind, query.title, stored, issued)
    try:
        yield {"upload": upload}
    finally:
        await _discard_unless_recorded(request, upload)


async def _discard_unless_recorded(request: web.Request, upload: Upload) -> None:
    """A failed transaction or a replayed key recorded nothing: the object goes now (or, if
    the database or S3 fails here, with the orphans later)."""
    with contextlib.suppress(*STORAGE_ERRORS, asyncpg.PostgresError):
        async with request.app[POOL].acquire() as conn:
            if await gestion.recorded(conn, upload.document_id):
                return
            await request.app[STORE].remove(upload.stored.key)
            await gestion.object_gone(conn, upload.stored.key)


@api.post(
    CANDIDATURE + "/documents",
    media_types=("application/pdf",),
    query=UploadQuery,
    response=StaffDocumentView,
    status=201,
    roles=GESTIONNAIRE,
    tags=TAGS,
    transactional=True,
    idempotent=True,
    around=stored_upload,
    summary="Publish an uploaded PDF for a candidature (raw application/pdf body)",
)
async def upload_document(
    request: web.Request,
    conn: asyncpg.Connection,
    body: RawBody,
    query: UploadQuery,
    principal: Principal,
    upload: Upload,
) -> StaffDocumentView:
    return await gestion.record_upload(conn, upload, principal, request.app[DEPS])


@api.get(
    CANDIDATURE + "/documents",
    response=list[StaffDocumentView],
    roles=GESTIONNAIRE,
    tags=TAGS,
    transactional=True,
    summary="A candidature's documents, withdrawn ones included, newest first",
)
async def candidature_documents(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> list[StaffDocumentView]:
    return await gestion.documents(conn, _uuid(request, "candidature_id"), principal)


@api.post(
    CANDIDATURE + "/generated-documents",
    body=NewGeneration,
    response=BatchView,
    status=202,
    roles=GESTIONNAIRE,
    tags=TAGS,
    transactional=True,
    idempotent=True,
    summary="Generate a document from a template for a candidature (a batch of one)",
)
async def generate_document(
    request: web.Request, conn: asyncpg.Connection, body: NewGeneration, principal: Principal
) -> BatchView:
    candidature_id = _uuid(request, "candidature_id")
    return await gestion.generate(conn, candidature_id, body.document, principal, request.app[DEPS])


@api.post(
    BATCHES,
    body=NewBatch,
    response=BatchView,
    status=202,
    roles=GESTIONNAIRE,
    tags=TAGS,
    transactional=True,
    idempotent=True,
    summary="Generate a document for every candidature of an académie matching a filter",
)
async def create_batch(
    request: web.Request, conn: asyncpg.Connection, body: NewBatch, principal: Principal
) -> BatchView:
    return await gestion.create_batch(conn, body, principal, request.app[DEPS])


@api.get(
    BATCHES,
    query=BatchesQuery,
    response=list[BatchSummary],
    roles=GESTIONNAIRE,
    tags=TAGS,
    transactional=True,
    summary="The batches of my académies (or of one), the newest first, without their items",
)
async def batches(
    request: web.Request, conn: asyncpg.Connection, query: BatchesQuery, principal: Principal
) -> list[BatchSummary]:
    return await gestion.batches(conn, query.academie, query.limit, principal)


@api.get(
    f"{BATCHES}/{{batch_id:{UUID}}}",
    response=BatchView,
    roles=GESTIONNAIRE,
    tags=TAGS,
    transactional=True,
    summary="A batch's progress and its result per candidature",
)
async def batch(request: web.Request, conn: asyncpg.Connection, principal: Principal) -> BatchView:
    return await gestion.batch(conn, _uuid(request, "batch_id"), principal)


@api.post(
    f"/api/v1/admin/documents/{{document_id:{UUID}}}/withdrawal",
    body=NewWithdrawal,
    response=StaffDocumentView,
    roles=GESTIONNAIRE,
    tags=TAGS,
    transactional=True,
    idempotent=True,
    errors=(409,),
    summary="Withdraw a published document (hidden from Mes documents), with a reason",
)
async def withdraw_document(
    request: web.Request, conn: asyncpg.Connection, body: NewWithdrawal, principal: Principal
) -> StaffDocumentView:
    document_id = _uuid(request, "document_id")
    return await gestion.withdraw(conn, document_id, body.reason, principal, request.app[DEPS])
