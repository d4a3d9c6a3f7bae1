"""Mes documents (candidatures, then their documents, downloads) and Formulaires."""

from __future__ import annotations

import asyncio

from aiohttp import web

from portal.domain.errors import ApiProblem
from portal.entrypoints.http._routes import routes
from portal.entrypoints.http.inscription import UUID
from portal.entrypoints.pages import access_token, backends, render

PASSED_HEADERS = ("Content-Type", "Content-Disposition", "Content-Length", "ETag")


@routes.get("/documents")
async def mes_documents(request: web.Request) -> web.Response:
    candidatures = await backends(request).documents.call(
        "GET", "/api/v1/me/candidatures", token=await access_token(request)
    )
    context = {"title": "Mes documents", "candidatures": candidatures}
    return render(request, "documents.html", context)


@routes.get(rf"/documents/{{id:{UUID}}}")
async def documents_of(request: web.Request) -> web.Response:
    cid = request.match_info["id"]
    token = await access_token(request)
    documents = backends(request).documents
    listing, candidatures = await asyncio.gather(
        documents.call("GET", f"/api/v1/me/candidatures/{cid}/documents", token=token),
        documents.call("GET", "/api/v1/me/candidatures", token=token),
    )
    candidature = next((c for c in candidatures if str(c["candidature_id"]) == cid), None)
    context = {
        "title": "Documents relatifs à ma candidature",
        "documents": listing,
        "candidature": candidature,
    }
    return render(request, "documents_list.html", context)


@routes.get(rf"/documents/fichier/{{id:{UUID}}}")
async def download(request: web.Request) -> web.StreamResponse:
    """The PDF streamed from the documents service, never held whole in memory."""
    token = await access_token(request)
    path = f"/api/v1/me/documents/{request.match_info['id']}"
    async with backends(request).documents.open("GET", path, token=token) as upstream:
        response = web.StreamResponse(
            headers={k: upstream.headers[k] for k in PASSED_HEADERS if k in upstream.headers}
        )
        response.headers["Cache-Control"] = "private, no-store"
        await response.prepare(request)
        async for chunk in upstream.content.iter_chunked(64 * 1024):
            await response.write(chunk)
        await response.write_eof()
        return response


@routes.get("/formulaires")
async def formulaires(request: web.Request) -> web.Response:
    """Not used for the BTS (guide, 9): the section exists and says so."""
    token = await access_token(request)
    examen = request.query.get("examen", "BTS")
    try:
        listing = await backends(request).documents.call(
            "GET", "/api/v1/formulaires", params={"examen": examen}, token=token
        )
    except ApiProblem:
        listing = []
    context = {"title": "Formulaires", "formulaires": listing or [], "examen": examen}
    return render(request, "formulaires.html", context)
