"""Créer mon compte, activation, mot de passe oublié, Modifier mon compte."""

from __future__ import annotations

import contextlib
from typing import Any

from aiohttp import web

from portal.domain.errors import ApiProblem
from portal.domain.messages import PASSWORD_RULE, problem_message
from portal.entrypoints.forms import (
    CIVILITES,
    IDENTITE_LABELS,
    FormErrors,
    errors_from,
    idempotency_key,
    identite_field,
    identite_from_form,
    identite_to_form,
    new_nonce,
    text_values,
)
from portal.entrypoints.http._routes import routes
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

ACCOUNT_LABELS = {
    **IDENTITE_LABELS,
    "email": "Adresse email",
    "password": "Mot de passe",
    "password_confirmation": "Confirmation du mot de passe",
    "new_email": "Nouvelle adresse email",
    "current_password": "Mot de passe actuel",
    "new_password": "Nouveau mot de passe",
}
NEW_LINK_SENT = "Si un compte en attente existe pour cette adresse, un nouveau lien lui est envoyé."
MISMATCH = "Les deux mots de passe saisis sont différents."


def _account_field(path: str) -> str:
    return identite_field(path) if path.startswith("identite") else path.rsplit(".", 1)[-1]


def _signup_context(values: dict[str, str], errors: FormErrors) -> dict[str, Any]:
    return {
        "title": "Créer mon compte",
        "values": values,
        "errors": errors,
        "civilites": CIVILITES,
        "rule": PASSWORD_RULE,
        "nonce": new_nonce(),
    }


@routes.get("/compte/creation")
async def signup_page(request: web.Request) -> web.Response:
    return render(request, "signup.html", _signup_context({}, FormErrors()))


@routes.post("/compte/creation")
async def signup(request: web.Request) -> web.Response:
    data = form(request)
    values = text_values(data)
    password = str(data.get("password", ""))
    if password != data.get("password_confirmation"):
        errors = FormErrors()
        errors.add("password_confirmation", ACCOUNT_LABELS["password_confirmation"], MISMATCH)
        return render(request, "signup.html", _signup_context(values, errors), status=400)
    account = {
        "email": values.get("email", "").strip(),
        "password": password,
        "identite": identite_from_form(data),
    }
    key = idempotency_key(session(request).csrf, data.get("nonce"))
    try:
        await backends(request).accounts.call(
            "POST", "/api/v1/accounts", json=account, headers={"Idempotency-Key": key}
        )
    except ApiProblem as exc:
        errors = errors_from(exc, ACCOUNT_LABELS, _account_field)
        return render(request, "signup.html", _signup_context(values, errors), status=400)
    return render(request, "signup_done.html", {"title": "Votre compte va être créé"})


@routes.get("/compte/activation")
async def activate(request: web.Request) -> web.Response:
    """The link of the "[CYCLADES] Activer mon compte" email: clicking it activates."""
    token = request.query.get("token", "")
    try:
        await backends(request).accounts.call(
            "POST", "/api/v1/accounts/activate", json={"token": token}
        )
    except ApiProblem as exc:
        slug = "link-expired" if exc.slug == "link-expired" else "invalid-link"
        context = {"title": "Activation impossible", "message": problem_message(slug)}
        return render(request, "activation_failed.html", context, status=400)
    flash(request, "Votre compte est activé : vous pouvez vous connecter.")
    raise redirect("/connexion")


@routes.post("/compte/activation/nouveau-lien")
async def new_activation_link(request: web.Request) -> web.Response:
    email = str(form(request).get("email", "")).strip()
    with contextlib.suppress(ApiProblem):  # one answer for any address: nothing to reveal
        await backends(request).accounts.call(
            "POST", "/api/v1/accounts/activation-link", json={"email": email}
        )
    flash(request, NEW_LINK_SENT)
    raise redirect("/")


@routes.get("/mot-de-passe/oubli")
async def forgotten_page(request: web.Request) -> web.Response:
    context = {"title": "Mot de passe oublié", "values": {}, "errors": FormErrors()}
    return render(request, "forgotten.html", context)


@routes.post("/mot-de-passe/oubli")
async def forgotten(request: web.Request) -> web.Response:
    email = str(form(request).get("email", "")).strip()
    try:
        await backends(request).accounts.call(
            "POST", "/api/v1/auth/password-reset", json={"email": email}
        )
    except ApiProblem as exc:
        errors = errors_from(exc, ACCOUNT_LABELS)
        context = {"title": "Mot de passe oublié", "values": {"email": email}, "errors": errors}
        return render(request, "forgotten.html", context, status=400)
    flash(
        request,
        "Si un compte existe pour cette adresse, un mail avec un lien de réinitialisation "
        "vient de lui être envoyé (valable 1 heure).",
    )
    raise redirect("/connexion")


def _reset_context(token: str, errors: FormErrors) -> dict[str, Any]:
    return {
        "title": "Choisir un nouveau mot de passe",
        "token": token,
        "errors": errors,
        "rule": PASSWORD_RULE,
    }


@routes.get("/mot-de-passe/reinitialisation")
async def reset_page(request: web.Request) -> web.Response:
    context = _reset_context(request.query.get("token", ""), FormErrors())
    return render(request, "reset.html", context)


@routes.post("/mot-de-passe/reinitialisation")
async def reset(request: web.Request) -> web.Response:
    data = form(request)
    token = str(data.get("token", ""))
    password = str(data.get("new_password", ""))
    errors = FormErrors()
    if password != data.get("password_confirmation"):
        errors.add("password_confirmation", ACCOUNT_LABELS["password_confirmation"], MISMATCH)
        return render(request, "reset.html", _reset_context(token, errors), status=400)
    try:
        await backends(request).accounts.call(
            "POST",
            "/api/v1/auth/password-reset/confirm",
            json={"token": token, "new_password": password},
        )
    except ApiProblem as exc:
        errors = errors_from(exc, ACCOUNT_LABELS)
        return render(request, "reset.html", _reset_context(token, errors), status=400)
    flash(request, "Votre mot de passe est modifié : vous pouvez vous connecter.")
    raise redirect("/connexion")


# --- Modifier mon compte ---------------------------------------------------------------------


async def _account_page(
    request: web.Request,
    errors: FormErrors,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    me = await backends(request).accounts.call(
        "GET", "/api/v1/me", token=await access_token(request)
    )
    context = {
        "title": "Modifier mon compte",
        "me": me,
        "values": values if values is not None else identite_to_form(me.get("identite")),
        "locked": bool(me.get("identity_locked")),
        "errors": errors,
        "civilites": CIVILITES,
        "rule": PASSWORD_RULE,
    }
    return render(request, "account.html", context, status=status)


@routes.get("/compte")
async def account(request: web.Request) -> web.Response:
    return await _account_page(request, FormErrors())


@routes.post("/compte/identite")
async def update_identite(request: web.Request) -> web.Response:
    data = form(request)
    try:
        await backends(request).accounts.call(
            "PUT",
            "/api/v1/me/identite",
            token=await access_token(request),
            json=identite_from_form(data),
        )
    except ApiProblem as exc:
        errors = errors_from(exc, ACCOUNT_LABELS, _account_field)
        return await _account_page(request, errors, text_values(data), status=400)
    flash(request, "Vos informations sont enregistrées.")
    raise redirect("/compte")


@routes.post("/compte/email")
async def change_email(request: web.Request) -> web.Response:
    data = form(request)
    body = {"new_email": str(data.get("new_email", "")).strip(), "password": data.get("password")}
    try:
        await backends(request).accounts.call(
            "POST", "/api/v1/me/email", token=await access_token(request), json=body
        )
    except ApiProblem as exc:
        errors = errors_from(exc, ACCOUNT_LABELS)
        return await _account_page(request, errors, status=400)
    flash(request, "Un lien de confirmation est envoyé à la nouvelle adresse.")
    raise redirect("/compte")


@routes.post("/compte/mot-de-passe")
async def change_password(request: web.Request) -> web.Response:
    data = form(request)
    new_password = str(data.get("new_password", ""))
    errors = FormErrors()
    if new_password != data.get("password_confirmation"):
        errors.add("password_confirmation", ACCOUNT_LABELS["password_confirmation"], MISMATCH)
        return await _account_page(request, errors, status=400)
    body = {"current_password": data.get("current_password"), "new_password": new_password}
    try:
        await backends(request).accounts.call(
            "POST", "/api/v1/me/password", token=await access_token(request), json=body
        )
    except ApiProblem as exc:
        errors = errors_from(exc, ACCOUNT_LABELS)
        if exc.slug == "wrong-password":
            errors = FormErrors()
            errors.add("current_password", "Mot de passe actuel", problem_message(exc.slug))
        return await _account_page(request, errors, status=400)
    flash(request, "Votre mot de passe est modifié.")
    raise redirect("/compte")


@routes.get("/compte/email/confirmation")
async def confirm_email(request: web.Request) -> web.Response:
    token = request.query.get("token", "")
    try:
        await backends(request).accounts.call(
            "POST", "/api/v1/accounts/email/confirm", json={"token": token}
        )
    except ApiProblem as exc:
        return refused(request, "Confirmation impossible", exc, status=400)
    flash(request, "Votre nouvelle adresse email est confirmée.")
    raise redirect("/")
