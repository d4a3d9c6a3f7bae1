"""The inscription form's tabs, in the guide's order (5.1 to 5.8), and how a tab's HTML form
becomes the body the registration service takes. Pure functions: unit-tested."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Onglet:
    slug: str
    titre: str
    saisie: bool  # an input tab (GET/PUT on the registration service)


ONGLETS = (
    Onglet("identification", "Identification", True),
    Onglet("informations-candidature", "Informations candidature", True),
    Onglet("qualification", "Qualification présentée", True),
    Onglet("acquis", "Acquis", True),
    Onglet("diplome", "Diplôme possédé", True),
    Onglet("epreuves", "Epreuves", True),
    Onglet("recapitulatif", "Récapitulatif", False),
    Onglet("numero", "N° Inscription", False),
)
SLUGS = tuple(o.slug for o in ONGLETS)
# The tab on which Enregistrer is active: the last one before N° Inscription.
LAST_INPUT_STEP = "recapitulatif"
ACQUIS_ROWS_EXTRA = 1  # empty rows offered to declare one more acquis (no JavaScript needed)


def onglet(slug: str) -> Onglet | None:
    return next((o for o in ONGLETS if o.slug == slug), None)


def neighbour(slug: str, step: int) -> str:
    index = SLUGS.index(slug) + step
    return SLUGS[max(0, min(index, len(SLUGS) - 2))]  # N° Inscription only after Enregistrer


Form = Mapping[str, Any]


def _text(data: Form, name: str) -> str | None:
    value = data.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _yes_no(data: Form, name: str) -> bool | None:
    return {"oui": True, "non": False}.get(str(data.get(name, "")))


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def identification(data: Form, _all: Callable[[str], list[str]]) -> dict[str, Any]:
    return _without_none({n: _text(data, n) for n in ("nom_parent_1", "nom_parent_2")})


def informations(data: Form, _all: Callable[[str], list[str]]) -> dict[str, Any]:
    body: dict[str, Any] = {n: _text(data, n) for n in ("categorie", "etablissement")}
    for name in (
        "handicap",
        "amenagement",
        "consentement_presse",
        "consentement_organismes_prives",
        "consentement_collectivites",
    ):
        body[name] = _yes_no(data, name)
    return _without_none(body)


def qualification(data: Form, _all: Callable[[str], list[str]]) -> dict[str, Any]:
    return _without_none({n: _text(data, n) for n in ("specialite", "forme")})


def diplome(data: Form, _all: Callable[[str], list[str]]) -> dict[str, Any]:
    return _without_none({"diplome": _text(data, "diplome")})


def _number(value: str | None) -> Any:
    if value is None:
        return None
    try:
        return int(value) if value.isdigit() else float(value.replace(",", "."))
    except ValueError:
        return value  # the service names the field


def acquis(data: Form, _all: Callable[[str], list[str]]) -> dict[str, Any]:
    rows = []
    index = 0
    while f"acquis-{index}-type" in data:
        prefix = f"acquis-{index}-"
        row = {
            "type": _text(data, prefix + "type"),
            "annee": _number(_text(data, prefix + "annee")),
            "academie": _text(data, prefix + "academie"),
            "epreuve": _text(data, prefix + "epreuve"),
            "note": _number(_text(data, prefix + "note")),
            "utilise": data.get(prefix + "utilise") == "oui",
        }
        if row["type"] or row["epreuve"]:
            rows.append(_without_none(row))
        index += 1
    return {"acquis": rows}


def epreuves(data: Form, all_of: Callable[[str], list[str]]) -> dict[str, Any]:
    options = {
        key.removeprefix("option-"): value.strip()
        for key, value in data.items()
        if key.startswith("option-") and isinstance(value, str) and value.strip()
    }
    choix = {
        key.removeprefix("choix-"): value
        for key, value in data.items()
        if key.startswith("choix-") and isinstance(value, str) and value
    }
    body: dict[str, Any] = {"options": options, "facultatives": all_of("facultatives")}
    if choix:
        body["choix"] = choix
    return body


BODIES: dict[str, Callable[[Form, Callable[[str], list[str]]], dict[str, Any]]] = {
    "identification": identification,
    "informations-candidature": informations,
    "qualification": qualification,
    "acquis": acquis,
    "diplome": diplome,
    "epreuves": epreuves,
}


def field_name(path: str) -> str:
    """A registration error's field as the form's input name: `acquis.0.note` ->
    `acquis-0-note`, `options.E2` -> `option-E2`, `choix.E6` -> `choix-E6`."""
    name = path.replace(".", "-")
    if name.startswith("options-"):
        return "option-" + name.removeprefix("options-")
    return name


def form_values(slug: str, donnees: Mapping[str, Any] | None) -> dict[str, Any]:
    """A saved tab as the form's values (the inverse of BODIES)."""
    data = dict(donnees or {})
    values: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, bool):
            values[key] = "oui" if value else "non"
        elif isinstance(value, str | int | float):
            values[key] = str(value)
    if slug == "acquis":
        for index, row in enumerate(data.get("acquis") or []):
            for key, value in row.items():
                if key == "utilise":
                    values[f"acquis-{index}-utilise"] = "oui" if value else ""
                elif value is not None:
                    values[f"acquis-{index}-{key}"] = str(value)
        values["acquis_count"] = len(data.get("acquis") or [])
    if slug == "epreuves":
        for code, option in (data.get("options") or {}).items():
            values[f"option-{code}"] = option
        for parent, child in (data.get("choix") or {}).items():
            values[f"choix-{parent}"] = child
        values["facultatives"] = list(data.get("facultatives") or [])
    return values
