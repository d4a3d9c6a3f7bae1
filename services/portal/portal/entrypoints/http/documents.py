"""Mes documents (candidatures, then their documents, downloads) and Formulaires."""

from __future__ import annotations

import asyncio

from aiohttp import web

from portal.domain.errors import ApiProblem
from portal.entrypoints.http._routes import routes
from portal.entrypoints.http.inscription import UUID
from portal.entrypoints.pages import access_token, backends, relay_download, render

FORMULAIRE_ID = "[A-Za-z0-9_-]{1,64}"


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
    path = f"/api/v1/me/documents/{request.match_info['id']}"
    return await relay_download(request, backends(request).documents, path)


@routes.get("/formulaires")
async def formulaires(request: web.Request) -> web.Response:
    """The forms the documents service holds for an examen (`GET /api/v1/formulaires`: a list
    of `{id, examen, title, size, pages, sha256, added_at}`). None for the BTS (guide, 9); a
    404 (a documents service without that API) is read as none too."""
    token = await access_token(request)
    examen = request.query.get("examen", "BTS")
    try:
        listing = await backends(request).documents.call(
            "GET", "/api/v1/formulaires", params={"examen": examen}, token=token
        )
    except ApiProblem as exc:
        if exc.status != 404:
            raise
        listing = []
    context = {"title": "Formulaires", "formulaires": listing or [], "examen": examen}
    return render(request, "formulaires.html", context)


@routes.get(rf"/formulaires/{{id:{FORMULAIRE_ID}}}")
async def formulaire(request: web.Request) -> web.StreamResponse:
    path = f"/api/v1/formulaires/{request.match_info['id']}"
    return await relay_download(request, backends(request).documents, path)
