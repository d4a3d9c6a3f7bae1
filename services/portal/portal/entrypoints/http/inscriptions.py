"""Mes inscriptions: the list, a candidature in consultation, Modifier, the bin (désinscription)."""

from __future__ import annotations

from aiohttp import web

from portal.domain.errors import ApiProblem
from portal.entrypoints.forms import idempotency_key, new_nonce
from portal.entrypoints.http._routes import routes
from portal.entrypoints.http.home import refresh_gestionnaire
from portal.entrypoints.http.inscription import UUID, read_candidature
from portal.entrypoints.pages import (
    access_token,
    backends,
    flash,
    form,
    redirect,
    refused,
    render,
    session,
)

WITHDRAWN = "Votre désinscription est enregistrée. Un mail de confirmation vous est adressé."


@routes.get("/inscriptions")
async def mes_inscriptions(request: web.Request) -> web.Response:
    mine = await backends(request).registration.call(
        "GET", "/api/v1/me/candidatures", token=await access_token(request)
    )
    context = {"title": "Mes inscriptions", "candidatures": mine, "nonce": new_nonce()}
    return render(request, "inscriptions.html", context)


@routes.get(rf"/inscriptions/{{id:{UUID}}}")
async def consultation(request: web.Request) -> web.Response:
    cid = request.match_info["id"]
    candidature = await read_candidature(request, cid)
    context = {
        "title": "Récapitulatif - Consultation",
        "candidature": candidature,
        "recap": candidature.get("recapitulatif"),
    }
    return render(request, "consultation.html", context)


@routes.get(rf"/inscriptions/{{id:{UUID}}}/desinscription")
async def confirm_withdrawal(request: web.Request) -> web.Response:
    """The bin's confirmation, as a page (without JavaScript the dialog is this page)."""
    cid = request.match_info["id"]
    candidature = await read_candidature(request, cid)
    context = {"title": "Me désinscrire", "candidature": candidature, "nonce": new_nonce()}
    return render(request, "desinscription.html", context)


@routes.post(rf"/inscriptions/{{id:{UUID}}}/desinscription")
async def withdraw(request: web.Request) -> web.Response:
    cid = request.match_info["id"]
    key = idempotency_key(session(request).csrf, form(request).get("nonce"))
    try:
        await backends(request).registration.call(
            "POST",
            f"/api/v1/candidatures/{cid}/desinscrire",
            token=await access_token(request),
            json={"confirmation": True},
            headers={"Idempotency-Key": key},
        )
    except ApiProblem as exc:
        return refused(request, "Désinscription impossible", exc)
    await refresh_gestionnaire(request)
    flash(request, WITHDRAWN)
    raise redirect("/inscriptions")
