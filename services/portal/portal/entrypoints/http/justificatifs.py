"""Mes justificatifs (guide, 10): the pièces of each candidature, grouped by date limite;
Ajouter, Remplacer and Supprimer a file until the pièce is validated; J'ai fourni toutes mes
pièces. Everything goes to the uploads service (`/api/v1/me/candidatures/{id}/…`); its refusals
are said in French next to the field they concern."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from aiohttp.web_request import FileField

from portal.deps import DEPS
from portal.domain.errors import ApiProblem, BackendDown
from portal.domain.messages import PIECES_MISSING, UPLOAD_UNAVAILABLE, problem_message
from portal.domain.pieces import mes_pieces
from portal.entrypoints.forms import idempotency_key, new_nonce
from portal.entrypoints.http._routes import routes
from portal.entrypoints.http.inscription import UUID
from portal.entrypoints.pages import (
    access_token,
    backends,
    flash,
    form,
    redirect,
    relay_download,
    render,
    session,
)

BASE = "/api/v1/me/candidatures/{cid}"
PAGE = rf"/justificatifs/{{cid:{UUID}}}"
PIECE = rf"{PAGE}/pieces/{{pid:{UUID}}}"
FICHIER = rf"{PIECE}/fichiers/{{fid:{UUID}}}"
NO_FILE = "Choisissez un fichier à déposer."
FOURNIES = "Vos pièces sont validées : le gestionnaire est informé qu'il peut les contrôler."

# The page's errors, by the id of the element they belong to: `fichier-{pièce}` (Ajouter),
# `remplacer-{fichier}` (Remplacer, Supprimer), `fournies-{groupe}` (J'ai fourni).
Errors = dict[str, str]


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
    request: web.Request, errors: Errors | None = None, status: int = 200
) -> web.Response:
    cid = request.match_info["cid"]
    answer = await backends(request).uploads.call(
        "GET", BASE.format(cid=cid) + "/pieces", token=await access_token(request)
    )
    context = {
        "title": "Mes justificatifs",
        "cid": cid,
        "dossier": mes_pieces(answer),
        "errors": errors or {},
        "nonce": new_nonce(),
        # The portal takes no larger file (PORTAL_MAX_UPLOAD_BYTES): the form says the lesser.
        "portal_max_bytes": request.app[DEPS].settings.max_upload_bytes,
    }
    return render(request, "justificatifs_pieces.html", context, status=status)


@routes.get(PAGE)
async def pieces(request: web.Request) -> web.Response:
    return await _pieces_page(request)


@routes.post(rf"{PIECE}/fichiers")
async def ajouter(request: web.Request) -> web.Response:
    cid, pid = request.match_info["cid"], request.match_info["pid"]
    path = BASE.format(cid=cid) + f"/pieces/{pid}/files"
    return await _send_file(request, "POST", path, f"fichier-{pid}", "Votre fichier est déposé.")


@routes.post(rf"{FICHIER}/remplacer")
async def remplacer(request: web.Request) -> web.Response:
    cid, pid, fid = (request.match_info[k] for k in ("cid", "pid", "fid"))
    path = BASE.format(cid=cid) + f"/pieces/{pid}/files/{fid}"
    return await _send_file(request, "PUT", path, f"remplacer-{fid}", "Votre fichier est remplacé.")


async def _send_file(
    request: web.Request, method: str, path: str, field: str, done: str
) -> web.Response:
    """The chosen file passed on as the uploads service takes it (multipart, field `file`)."""
    upload = form(request).get("fichier")
    if not isinstance(upload, FileField) or not upload.filename:
        return await _pieces_page(request, {field: NO_FILE}, 400)
    body = aiohttp.FormData()
    body.add_field("file", upload.file, filename=upload.filename, content_type=upload.content_type)
    try:
        await backends(request).uploads.call(
            method, path, token=await access_token(request), data=body
        )
    except ApiProblem as exc:
        return await _pieces_page(request, {field: problem_message(exc.slug)}, exc.status)
    except BackendDown:
        # The scanner or the storage is down (503): said beside the field if the page can
        # still be read; if uploads is down altogether, reading it gives the 503 page.
        return await _pieces_page(request, {field: UPLOAD_UNAVAILABLE}, 503)
    flash(request, done)
    raise redirect(_back_to(request))


@routes.post(rf"{FICHIER}/supprimer")
async def supprimer(request: web.Request) -> web.Response:
    cid, pid, fid = (request.match_info[k] for k in ("cid", "pid", "fid"))
    path = BASE.format(cid=cid) + f"/pieces/{pid}/files/{fid}"
    try:
        await backends(request).uploads.call("DELETE", path, token=await access_token(request))
    except ApiProblem as exc:
        return await _pieces_page(request, {f"remplacer-{fid}": problem_message(exc.slug)}, 409)
    flash(request, "Le fichier est supprimé.")
    raise redirect(_back_to(request))


@routes.get(FICHIER)
async def telecharger(request: web.Request) -> web.StreamResponse:
    cid, pid, fid = (request.match_info[k] for k in ("cid", "pid", "fid"))
    path = BASE.format(cid=cid) + f"/pieces/{pid}/files/{fid}"
    return await relay_download(request, backends(request).uploads, path)


@routes.post(rf"{PAGE}/groupes/{{gid:{UUID}}}/fournies")
async def fournies(request: web.Request) -> web.Response:
    """J'ai fourni toutes mes pièces. The form's nonce makes the Idempotency-Key: a double
    click declares once."""
    cid, gid = request.match_info["cid"], request.match_info["gid"]
    nonce = form(request).get("nonce")
    given = f"{nonce}:{gid}" if isinstance(nonce, str) and nonce else None
    key = idempotency_key(session(request).csrf, given)
    try:
        await backends(request).uploads.call(
            "POST",
            BASE.format(cid=cid) + f"/groupes/{gid}/fournies",
            token=await access_token(request),
            headers={"Idempotency-Key": key},
        )
    except ApiProblem as exc:
        return await _pieces_page(request, {f"fournies-{gid}": _fournies_message(exc)}, exc.status)
    flash(
        request, "Vos pièces sont validées : le gestionnaire est informé qu'il peut les contrôler."
    )
    raise redirect(f"/justificatifs/{cid}#groupe-{gid}")


def _fournies_message(exc: ApiProblem) -> str:
    if exc.slug == "pieces-missing":
        missing = [str(e.get("field", "")) for e in exc.field_errors if e.get("field")]
        return PIECES_MISSING + " ; ".join(missing) + "."
    return problem_message(exc.slug)


def _back_to(request: web.Request) -> str:
    return f"/justificatifs/{request.match_info['cid']}#piece-{request.match_info['pid']}"
