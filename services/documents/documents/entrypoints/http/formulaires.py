"""Formulaires: `GET /api/v1/formulaires?examen=` lists the forms offered for an examen (any
signed-in user), `GET …/{id}` downloads one (streamed); an administrateur adds one (the body
is the PDF itself, `application/pdf` or `application/octet-stream`) and removes one.

An upload never sits whole in memory and never holds a pooled connection while it arrives:
a declared `Content-Length` over `formulaire_max_bytes` is a 413 before anything is read, and
the body is spooled to a temporary file (`RawBody.spool_within`) and cut off with a 413 as soon
as it passes the limit (a chunked upload declares no length). The spooled file is checked
(`domain/pdf.py`, in a thread: parsing is CPU work) and put in the bucket under a generated key,
all before the transaction that records it (`around=`); if that transaction fails, the object
is removed.
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
from documents.domain.confirmation import file_name
from documents.domain.pdf import checked_pages
from documents.entrypoints.problems import PROBLEMS
from documents.entrypoints.schemas import FormulairesQuery, FormulaireView, NewFormulaire
from documents.handlers import formulaires
from documents.handlers.formulaires import StoredUpload
from shared.auth import Principal, Role
from shared.http.api import Api, RawBody
from shared.http.keys import POOL
from shared.http.streaming import storage_unavailable, stream_object
from shared.storage import STORAGE, STORAGE_ERRORS, STORE

api = Api(problems=PROBLEMS)
TAGS = ("formulaires",)
ADMINISTRATEUR = (Role.ADMINISTRATEUR,)
UUID = "[0-9a-fA-F-]+"


def _view(row: asyncpg.Record) -> FormulaireView:
    return FormulaireView.model_validate(dict(row))


def _formulaire_id(request: web.Request) -> uuid.UUID:
    try:
        return uuid.UUID(request.match_info["formulaire_id"])
    except ValueError:
        return uuid.UUID(int=0)  # names nothing: the same 404 as an unknown id


@api.get(
    "/api/v1/formulaires",
    query=FormulairesQuery,
    response=list[FormulaireView],
    roles=(),
    tags=TAGS,
    transactional=True,
    summary="The formulaires offered for an examen (none for the BTS)",
)
async def list_formulaires(
    request: web.Request, conn: asyncpg.Connection, query: FormulairesQuery, principal: Principal
) -> list[FormulaireView]:
    found = await formulaires.of_examen(conn, query.examen, request.app[DEPS])
    return [_view(row) for row in found]


@contextlib.asynccontextmanager
async def checked_and_stored(
    request: web.Request, body: RawBody, **_: Any
) -> AsyncIterator[dict[str, StoredUpload]]:
    """Spool, check, put; the handler gets `upload`. Removed again if the record fails."""
    limit = request.app[CONFIG].formulaire_max_bytes
    async with body.spool_within(limit) as spooled:
        pages = await asyncio.to_thread(checked_pages, spooled.path)
        key = f"formulaires/{uuid.uuid4()}.pdf"
        store = request.app[STORE]
        try:
            with spooled.path.open("rb") as stream:
                await store.put_stream(key, stream, spooled.size, "application/pdf")
        except STORAGE_ERRORS as exc:
            STORAGE.failed(exc)
            raise storage_unavailable() from None
    STORAGE.answered()
    try:
        yield {"upload": StoredUpload(key, spooled.size, spooled.sha256, pages)}
    except BaseException:
        with contextlib.suppress(*STORAGE_ERRORS):
            await store.remove(key)
        raise


@api.post(
    "/api/v1/formulaires",
    query=NewFormulaire,
    # What a client declares is not trusted either way: the content is checked (domain/pdf.py).
    media_types=("application/pdf", "application/octet-stream"),
    response=FormulaireView,
    status=201,
    roles=ADMINISTRATEUR,
    tags=TAGS,
    transactional=True,
    around=checked_and_stored,
    errors=(422,),
    summary="Offer a formulaire for an examen (administrateur; the body is the PDF)",
)
async def add_formulaire(
    request: web.Request,
    conn: asyncpg.Connection,
    query: NewFormulaire,
    body: RawBody,
    principal: Principal,
    upload: StoredUpload,
) -> FormulaireView:
    recorded = await formulaires.add(
        conn, query.examen, query.titre, upload, principal, request.app[DEPS]
    )
    return _view(recorded)


@api.delete(
    f"/api/v1/formulaires/{{formulaire_id:{UUID}}}",
    roles=ADMINISTRATEUR,
    status=204,
    tags=TAGS,
    transactional=True,
    summary="Stop offering a formulaire (administrateur); its file is removed",
)
async def remove_formulaire(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> None:
    await formulaires.remove(conn, _formulaire_id(request), request.app[DEPS])


@api.get(
    f"/api/v1/formulaires/{{formulaire_id:{UUID}}}",
    roles=(),
    tags=TAGS,
    summary="Download a formulaire (application/pdf, streamed)",
)
async def download_formulaire(request: web.Request, principal: Principal) -> web.StreamResponse:
    async with request.app[POOL].acquire() as conn:
        found = await formulaires.find(conn, _formulaire_id(request))
    return await stream_object(
        request,
        key=found["object_key"],
        size=found["size"],
        sha256=found["sha256"],
        content_type="application/pdf",
        file_name=file_name("formulaire", f"{found['examen']}-{str(found['id'])[:8]}", None),
        cache_control="private, max-age=300",
    )
