"""Accueil (announcements, login), connexion, déconnexion, ouverture des services."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from aiohttp import web

from portal.adapters.backends import gather_optional
from portal.deps import DEPS
from portal.domain.errors import ApiProblem, BackendDown
from portal.domain.messages import problem_message
from portal.entrypoints.forms import FormErrors
from portal.entrypoints.http._routes import routes
from portal.entrypoints.pages import (
    access_token,
    backends,
    form,
    redirect,
    render,
    safe_next,
    session,
    set_session,
)


@routes.get("/")
async def home(request: web.Request) -> web.Response:
    (announcements,) = await gather_optional(
        backends(request).accounts.public("/api/v1/announcements")
    )
    return render(
        request,
        "home.html",
        {
            "title": "Accueil",
            "announcements": announcements,
            "values": {},
            "errors": FormErrors(),
            "suite": "/",
        },
    )


@routes.get("/connexion")
async def login_page(request: web.Request) -> web.Response:
    context = {
        "title": "Me connecter",
        "values": {},
        "errors": FormErrors(),
        "suite": safe_next(request.query.get("suite")),
    }
    return render(request, "login.html", context)


@routes.post("/connexion")
async def login(request: web.Request) -> web.Response:
    data = form(request)
    suite = safe_next(str(data.get("suite", "/")))
    email = str(data.get("email", "")).strip()
    credentials = {"email": email, "password": str(data.get("password", ""))}
    errors = FormErrors()
    try:
        pair = await backends(request).accounts.call("POST", "/api/v1/auth/login", json=credentials)
    except ApiProblem as exc:
        slug = exc.slug if exc.status != 422 else "invalid-credentials"
        errors.add("email", "Adresse email", problem_message(slug))
        context = {"title": "Me connecter", "values": {"email": email}, "errors": errors}
        return render(request, "login.html", {**context, "suite": suite}, status=400)
    now = request.app[DEPS].clock.now().timestamp()
    signed_in = session(request).with_tokens(pair, now)
    set_session(request, replace(signed_in, email=email))
    await refresh_gestionnaire(request)
    raise redirect(suite)


@routes.post("/deconnexion")
async def logout(request: web.Request) -> web.Response:
    current = session(request)
    if current.refresh_token:
        await gather_optional(
            backends(request).accounts.call(
                "POST", "/api/v1/auth/logout", json={"refresh_token": current.refresh_token}
            )
        )
    set_session(request, current.signed_out())
    raise redirect("/")


async def refresh_gestionnaire(request: web.Request) -> None:
    """The service gestionnaire of the candidate's first active candidature, kept in the
    session so that every page shows it without asking the services again."""
    found: dict[str, Any] | None = None
    try:
        token = await access_token(request)
        mine = await backends(request).registration.call(
            "GET", "/api/v1/me/candidatures", token=token
        )
        if mine:
            first = mine[0]
            found = await backends(request).registration.public(
                f"/api/v1/academies/{first['academie']}/service-gestionnaire",
                {"examen": str(first["examen"])},
            )
    except (ApiProblem, BackendDown):
        return
    current = session(request)
    set_session(request, replace(current, gestionnaire=found))


@routes.get("/ouvertures")
async def ouvertures(request: web.Request) -> web.Response:
    """Ouverture des services: the Grand Public windows for a domaine, session and académie."""
    registration = backends(request).registration
    chosen = {k: request.query.get(k, "") for k in ("domaine", "session", "academie")}
    examens, academies = await _examens_academies(request)
    listing = None
    if any(chosen.values()):
        params = {k: v for k, v in chosen.items() if v}
        try:
            listing = await registration.call("GET", "/api/v1/ouvertures", params=params)
        except ApiProblem:
            listing = []
    context = {
        "title": "Ouverture des services",
        "examens": examens,
        "academies": academies,
        "chosen": chosen,
        "listing": listing,
    }
    return render(request, "ouvertures.html", context)


async def _examens_academies(request: web.Request) -> tuple[list[Any], list[Any]]:
    registration = backends(request).registration
    examens, academies = await asyncio.gather(
        registration.public("/api/v1/examens"), registration.public("/api/v1/academies")
    )
    return examens, [a for a in academies if not a.get("etranger")]
