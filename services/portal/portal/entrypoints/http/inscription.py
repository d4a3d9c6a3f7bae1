"""M'inscrire (examen, session, académie, dates, Valider), the tabs, Enregistrer, N° Inscription."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import Any

from aiohttp import web

from portal.adapters.backends import Backend, gather_optional
from portal.domain import wizard
from portal.domain.errors import ApiProblem
from portal.entrypoints.forms import FormErrors, errors_from, idempotency_key, new_nonce
from portal.entrypoints.http._routes import routes
from portal.entrypoints.http.home import refresh_gestionnaire
from portal.entrypoints.pages import (
    access_token,
    backends,
    form,
    form_all,
    redirect,
    refused,
    render,
    session,
    set_session,
)

UUID = r"[0-9a-fA-F-]{36}"
TAB = "|".join(o.slug for o in wizard.ONGLETS if o.saisie)
FOUND_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NOT_SAVED = (
    "Votre saisie sur cet onglet n'est pas encore enregistrée : vérifiez-la, puis cliquez sur "
    "Suivant pour voir ce qui est à corriger."
)
TAB_LABELS = {
    "nom_parent_1": "Nom du parent 1",
    "nom_parent_2": "Nom du parent 2",
    "categorie": "Catégorie de candidat",
    "etablissement": "Établissement d'inscription",
    "handicap": "Handicap",
    "amenagement": "Aménagement des épreuves",
    "consentement_presse": "Résultats à la presse",
    "consentement_organismes_prives": "Résultats aux organismes privés",
    "consentement_collectivites": "Résultats aux collectivités territoriales",
    "specialite": "Spécialité",
    "forme": "Forme de passage",
    "diplome": "Diplôme possédé",
    "facultatives": "Épreuves facultatives",
}


# --- M'inscrire --------------------------------------------------------------------------------


@routes.get("/inscription")
async def choose(request: web.Request) -> web.Response:
    await access_token(request)
    registration = backends(request).registration
    chosen = {k: request.query.get(k, "") for k in ("examen", "session", "academie")}
    examens, academies = await asyncio.gather(
        registration.public("/api/v1/examens"), registration.public("/api/v1/academies")
    )
    sessions: list[Any] = []
    if chosen["examen"] and re.fullmatch(r"[A-Za-z0-9_-]{1,30}", chosen["examen"]):
        sessions = await _optional(registration, f"/api/v1/examens/{chosen['examen']}/sessions")
    ouvertures = None
    if all(chosen.values()):
        params = {"domaine": chosen["examen"], "session": chosen["session"]}
        ouvertures = await _optional(
            registration, "/api/v1/ouvertures", {**params, "academie": chosen["academie"]}
        )
    context = {
        "title": "M'inscrire",
        "examens": examens,
        "sessions": sessions,
        "academies": [a for a in academies if not a.get("etranger")],
        "chosen": chosen,
        "ouvertures": ouvertures,
        "ouvert": any(o.get("ouvert") for o in ouvertures or []),
        "nonce": new_nonce(),
        "errors": FormErrors(),
    }
    return render(request, "inscription_choix.html", context)


async def _optional(backend: Backend, path: str, params: dict[str, str] | None = None) -> Any:
    try:
        return await backend.call("GET", path, params=params)
    except ApiProblem:
        return []


@routes.post("/inscription")
async def create(request: web.Request) -> web.Response:
    data = form(request)
    draft = {
        "examen": str(data.get("examen", "")),
        "session": str(data.get("session", "")),
        "academie": str(data.get("academie", "")),
    }
    key = idempotency_key(session(request).csrf, data.get("nonce"))
    try:
        created = await backends(request).registration.call(
            "POST",
            "/api/v1/candidatures",
            token=await access_token(request),
            json=draft,
            headers={"Idempotency-Key": key},
        )
    except ApiProblem as exc:
        if exc.slug == "candidature-exists" and (
            found := FOUND_UUID.search(str(exc.body.get("detail", "")))
        ):
            raise redirect(f"/inscription/{found.group(0)}/identification") from exc
        return refused(request, "Inscription impossible", exc)
    raise redirect(f"/inscription/{created['id']}/identification")


# --- the tabs ----------------------------------------------------------------------------------


@routes.get(rf"/inscription/{{id:{UUID}}}/{{onglet:{TAB}}}")
async def tab_page(request: web.Request) -> web.Response:
    kept = _kept_input(request, request.match_info["id"], request.match_info["onglet"])
    errors = FormErrors()
    if kept is not None:
        errors.add(None, "", NOT_SAVED)
    return await _render_tab(request, kept, errors)


@routes.post(rf"/inscription/{{id:{UUID}}}/{{onglet:{TAB}}}")
async def tab_submit(request: web.Request) -> web.Response:
    """Suivant saves the tab (checked by the service) and moves on; Précédent saves what is
    valid and goes back."""
    cid, slug = request.match_info["id"], request.match_info["onglet"]
    data = form(request)
    step = -1 if data.get("action") == "precedent" else 1
    body = wizard.BODIES[slug](data, lambda name: form_all(request, name))
    try:
        await backends(request).registration.call(
            "PUT",
            f"/api/v1/candidatures/{cid}/onglets/{slug}",
            token=await access_token(request),
            json=body,
        )
    except ApiProblem as exc:
        if exc.slug == "identity-locked":  # a saved candidature: Identification is read-only
            raise redirect(f"/inscription/{cid}/{wizard.neighbour(slug, step)}") from exc
        if exc.status != 422:
            raise
        typed = wizard.form_values(slug, body)
        if step == 1:
            errors = errors_from(exc, _labels(data), wizard.field_name)
            return await _render_tab(request, typed, errors, status=400)
        # Précédent goes back without losing what was typed: kept until the tab is seen again.
        kept = {"onglet": f"{cid}/{slug}", "valeurs": typed}
        set_session(request, replace(session(request), saisie=kept))
    raise redirect(f"/inscription/{cid}/{wizard.neighbour(slug, step)}")


def _kept_input(request: web.Request, cid: str, slug: str) -> dict[str, Any] | None:
    """What Précédent kept for this tab, taken out of the session (shown once)."""
    kept = session(request).saisie
    if not kept or kept.get("onglet") != f"{cid}/{slug}":
        return None
    set_session(request, replace(session(request), saisie=None))
    values = kept.get("valeurs")
    return values if isinstance(values, dict) else None


async def read_candidature(request: web.Request, cid: str, token: str | None = None) -> Any:
    """The candidature as registration shows it to its candidate (tabs, numbers, versions)."""
    path = f"/api/v1/candidatures/{cid}"
    return await backends(request).registration.call(
        "GET", path, token=token or await access_token(request)
    )


def _labels(data: Any) -> dict[str, str]:
    labels = dict(TAB_LABELS)
    for key in data:
        if key.startswith(("option-", "choix-")):
            labels[key] = "Épreuve " + key.split("-", 1)[1]
        elif key.startswith("acquis-"):
            labels[key] = "Acquis n° " + str(int(key.split("-")[1]) + 1)
    return labels


# The tab whose answers another tab's choices depend on (fetched with the page's own reads).
DEPENDS_ON = {
    "qualification": "informations-candidature",
    "acquis": "qualification",
    "epreuves": "qualification",
}


async def _render_tab(
    request: web.Request, typed: dict[str, Any] | None, errors: FormErrors, status: int = 200
) -> web.Response:
    cid, slug = request.match_info["id"], request.match_info["onglet"]
    token = await access_token(request)
    registration = backends(request).registration
    reads = [
        read_candidature(request, cid, token),
        registration.call("GET", f"/api/v1/candidatures/{cid}/onglets/{slug}", token=token),
    ]
    if slug in DEPENDS_ON:
        reads.append(_tab(registration, cid, DEPENDS_ON[slug], token))
    candidature, tab, *depended = await asyncio.gather(*reads)
    values = typed if typed is not None else wizard.form_values(slug, tab.get("donnees"))
    if not errors and typed is None and tab.get("donnees") is not None:
        errors = _saved_problems(tab)
    ref = await _referentiel(registration, slug, candidature, depended[0] if depended else None)
    context = {
        **_wizard_context(candidature, slug),
        "tab": tab,
        "values": values,
        "errors": errors,
        "ref": ref,
    }
    return render(request, f"onglets/{slug}.html", context, status=status)


def _saved_problems(tab: dict[str, Any]) -> FormErrors:
    """Problems of a saved tab under today's rules (a catégorie changed since, say)."""
    errors = FormErrors()
    for problem in tab.get("problemes") or []:
        exc = ApiProblem(422, {"errors": [problem]})
        for item in errors_from(exc, TAB_LABELS, wizard.field_name).summary:
            errors.add(item["id"] or None, item["label"], item["message"])
    return errors


def _wizard_context(candidature: dict[str, Any], slug: str) -> dict[str, Any]:
    states = {o["onglet"]: o for o in candidature.get("onglets") or []}
    current = wizard.onglet(slug)
    return {
        "title": f"{current.titre if current else slug} - Inscription",
        "candidature": candidature,
        "onglets": wizard.ONGLETS,
        "states": states,
        "current": slug,
        "last_step": wizard.LAST_INPUT_STEP,
        "first": slug == wizard.SLUGS[0],
        "errors": FormErrors(),
    }


async def _referentiel(
    registration: Backend,
    slug: str,
    candidature: dict[str, Any],
    depended: dict[str, Any] | None,
) -> dict[str, Any]:
    """What the tab's choices come from: the référentiel (cached, the same for everyone) and
    the tab they depend on."""
    examen, annee = candidature["examen"], candidature["session"]
    session_path = f"/api/v1/examens/{examen}/sessions/{annee}"
    if slug == "informations-candidature":
        categories, etablissements = await asyncio.gather(
            registration.public("/api/v1/categories"),
            registration.public(
                "/api/v1/etablissements", {"academie": str(candidature["academie"])}
            ),
        )
        return {"categories": categories, "etablissements": etablissements}
    if slug == "qualification":
        specialites, categories = await asyncio.gather(
            registration.public(f"{session_path}/specialites"),
            registration.public("/api/v1/categories"),
        )
        chosen = (depended or {}).get("categorie")
        formes = next(
            (c["formes"] for c in categories if c["code"] == chosen), ["globale", "progressive"]
        )
        return {"specialites": specialites, "formes": formes}
    if slug == "diplome":
        return {"diplomes": await registration.public("/api/v1/diplomes")}
    if slug in ("acquis", "epreuves"):
        code = (depended or {}).get("specialite")
        epreuves: list[Any] = []
        if code:
            detail = await registration.public(f"{session_path}/specialites/{code}")
            epreuves = detail.get("epreuves") or []
        if slug == "epreuves":
            return {"epreuves": epreuves, "specialite": code}
        types, academies = await asyncio.gather(
            registration.public("/api/v1/types-acquis"), registration.public("/api/v1/academies")
        )
        return {"epreuves": epreuves, "types": types, "academies": academies, "annee": annee}
    return {}


async def _tab(registration: Backend, cid: str, slug: str, token: str) -> dict[str, Any] | None:
    tab = await registration.call("GET", f"/api/v1/candidatures/{cid}/onglets/{slug}", token=token)
    donnees = tab.get("donnees") if isinstance(tab, dict) else None
    return donnees if isinstance(donnees, dict) else None


# --- Récapitulatif, Enregistrer, N° Inscription ------------------------------------------------


@routes.get(rf"/inscription/{{id:{UUID}}}/recapitulatif")
async def recapitulatif(request: web.Request) -> web.Response:
    cid = request.match_info["id"]
    token = await access_token(request)
    registration = backends(request).registration
    candidature, recap = await asyncio.gather(
        read_candidature(request, cid, token),
        registration.call("GET", f"/api/v1/candidatures/{cid}/onglets/recapitulatif", token=token),
    )
    context = {
        **_wizard_context(candidature, "recapitulatif"),
        "recap": recap.get("recapitulatif"),
        "problemes": recap.get("problemes") or [],
        "nonce": new_nonce(),
        "errors": FormErrors(),
    }
    return render(request, "onglets/recapitulatif.html", context)


@routes.post(rf"/inscription/{{id:{UUID}}}/recapitulatif")
async def recapitulatif_back(request: web.Request) -> web.Response:
    raise redirect(f"/inscription/{request.match_info['id']}/epreuves")


@routes.post(rf"/inscription/{{id:{UUID}}}/enregistrer")
async def enregistrer(request: web.Request) -> web.Response:
    """La validation en ligne vaut signature. The form's nonce makes the Idempotency-Key, so a
    double click saves once; If-Match names the version being modified."""
    cid = request.match_info["id"]
    data = form(request)
    headers = {"Idempotency-Key": idempotency_key(session(request).csrf, data.get("nonce"))}
    version = str(data.get("version", "0"))
    if version.isdigit() and int(version) > 0:
        headers["If-Match"] = f'"{int(version)}"'
    try:
        await backends(request).registration.call(
            "POST",
            f"/api/v1/candidatures/{cid}/enregistrer",
            token=await access_token(request),
            headers=headers,
        )
    except ApiProblem as exc:
        return refused(request, "Enregistrement impossible", exc)
    await refresh_gestionnaire(request)
    raise redirect(f"/inscription/{cid}/numero")


@routes.get(rf"/inscription/{{id:{UUID}}}/numero")
async def numero(request: web.Request) -> web.Response:
    cid = request.match_info["id"]
    token = await access_token(request)
    registration = backends(request).registration
    candidature, mine = await asyncio.gather(
        read_candidature(request, cid, token),
        registration.call("GET", "/api/v1/me/candidatures", token=token),
    )
    (documents,) = await gather_optional(
        backends(request).documents.call(
            "GET", f"/api/v1/me/candidatures/{cid}/documents", token=token
        )
    )
    listed = next((c for c in mine if str(c["id"]) == cid), None)
    context = {
        **_wizard_context(candidature, "numero"),
        "listed": listed,
        "documents": documents,
    }
    return render(request, "onglets/numero.html", context)


@routes.get(rf"/inscription/{{id:{UUID}}}/confirmation")
async def confirmation(request: web.Request) -> web.Response:
    """Visualiser/Imprimer: the latest confirmation d'inscription, once documents made it."""
    cid = request.match_info["id"]
    listing = await backends(request).documents.call(
        "GET", f"/api/v1/me/candidatures/{cid}/documents", token=await access_token(request)
    )
    confirmations = [d for d in listing or [] if d.get("kind") == "confirmation_inscription"]
    if confirmations:
        latest = max(confirmations, key=lambda d: d.get("version") or 0)
        raise redirect(f"/documents/fichier/{latest['id']}")
    context = {"title": "Confirmation d'inscription en préparation", "cid": cid}
    return render(request, "confirmation_pending.html", context)
