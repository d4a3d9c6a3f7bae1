"""Mes justificatifs: the pièces of each candidature, grouped by deadline; Ajouter; J'ai fourni
toutes mes pièces. The uploads service was built alongside: the shapes it answers are read
tolerantly (`domain/pieces.py`), the paths are in `PATHS`."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.web_request import FileField

from portal.deps import DEPS
from portal.domain.errors import ApiProblem
from portal.domain.messages import field_message, problem_message
from portal.domain.pieces import groups_of
from portal.entrypoints.http._routes import routes
from portal.entrypoints.http.inscription import UUID
from portal.entrypoints.pages import access_token, backends, flash, form, redirect, render

PATHS = {
    "pieces": "/api/v1/me/candidatures/{cid}/pieces",
    "files": "/api/v1/me/candidatures/{cid}/pieces/{pid}/files",
    "fournies": "/api/v1/me/candidatures/{cid}/groupes/{gid}/fournies",
}
ID = r"[A-Za-z0-9_-]{1,64}"
UPLOAD_REFUSED = {
    413: "Le fichier dépasse la taille maximale autorisée.",
    415: "Ce format de fichier n'est pas accepté : déposez un fichier PDF, JPEG ou PNG.",
}


@routes.get("/justificatifs")
async def candidatures(request: web.Request) -> web.Response:
    mine = await backends(request).registration.call(
        "GET", "/api/v1/me/candidatures", token=await access_token(request)
    )
    if len(mine) == 1:
        raise redirect(f"/justificatifs/{mine[0]['id']}")
    context = {"title": "Mes justificatifs", "candidatures": mine}
    return render(request, "justificatifs.html", context)


async def _pieces_page(
    request: web.Request, errors: dict[str, str] | None = None, status: int = 200
) -> web.Response:
    cid = request.match_info["cid"]
    answer = await backends(request).uploads.call(
        "GET", PATHS["pieces"].format(cid=cid), token=await access_token(request)
    )
    context = {
        "title": "Mes justificatifs",
        "cid": cid,
        "groupes": groups_of(answer),
        "errors": errors or {},
        "max_bytes": request.app[DEPS].settings.max_upload_bytes,
    }
    return render(request, "justificatifs_pieces.html", context, status=status)


@routes.get(rf"/justificatifs/{{cid:{UUID}}}")
async def pieces(request: web.Request) -> web.Response:
    return await _pieces_page(request)


@routes.post(rf"/justificatifs/{{cid:{UUID}}}/pieces/{{pid:{ID}}}/fichiers")
async def ajouter(request: web.Request) -> web.Response:
    cid, pid = request.match_info["cid"], request.match_info["pid"]
    upload = form(request).get("fichier")
    if not isinstance(upload, FileField) or not upload.filename:
        return await _pieces_page(request, {pid: "Choisissez un fichier à déposer."}, 400)
    body = aiohttp.FormData()
    body.add_field("file", upload.file, filename=upload.filename, content_type=upload.content_type)
    try:
        await backends(request).uploads.call(
            "POST",
            PATHS["files"].format(cid=cid, pid=pid),
            token=await access_token(request),
            data=body,
        )
    except ApiProblem as exc:
        return await _pieces_page(request, {pid: _upload_message(exc)}, 400)
    flash(request, "Votre fichier est déposé.")
    raise redirect(f"/justificatifs/{cid}#piece-{pid}")


def _upload_message(exc: ApiProblem) -> str:
    if exc.status in UPLOAD_REFUSED:
        return UPLOAD_REFUSED[exc.status]
    errors: list[dict[str, Any]] = exc.field_errors
    if errors:
        return field_message(str(errors[0].get("code", "")), str(errors[0].get("message", "")))
    return problem_message(exc.slug)


@routes.post(rf"/justificatifs/{{cid:{UUID}}}/groupes/{{gid:{ID}}}/fournies")
async def fournies(request: web.Request) -> web.Response:
    cid, gid = request.match_info["cid"], request.match_info["gid"]
    try:
        await backends(request).uploads.call(
            "POST", PATHS["fournies"].format(cid=cid, gid=gid), token=await access_token(request)
        )
    except ApiProblem as exc:
        return await _pieces_page(request, {f"groupe-{gid}": problem_message(exc.slug)}, 400)
    flash(request, "Le gestionnaire est informé que vos pièces peuvent être contrôlées.")
    raise redirect(f"/justificatifs/{cid}")
