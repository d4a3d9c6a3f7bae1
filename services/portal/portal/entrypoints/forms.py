"""Between HTML forms and the services' JSON: fields in, errors out (in French, by field)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.domain.errors import ApiProblem
from portal.domain.messages import field_message, problem_message

IDENTITE_LABELS = {
    "civilite": "Civilité",
    "nom_naissance": "Nom de naissance",
    "nom_usage": "Nom d'usage",
    "prenoms": "Prénoms",
    "date_naissance": "Date de naissance",
    "pays_naissance": "Pays de naissance",
    "commune_naissance": "Commune de naissance",
    "departement_naissance": "Département de naissance",
    "nationalite": "Nationalité",
    "adresse_ligne1": "Adresse",
    "adresse_ligne2": "Complément d'adresse",
    "code_postal": "Code postal",
    "commune": "Commune",
    "pays": "Pays de résidence",
    "telephone": "Téléphone",
}
ADRESSE_FIELDS = {"ligne1": "adresse_ligne1", "ligne2": "adresse_ligne2"}
CIVILITES = [("MME", "Madame"), ("M", "Monsieur")]


@dataclass
class FormErrors:
    """Errors by form field, and the summary list (label, message, anchor) shown at the top."""

    by_field: dict[str, str] = field(default_factory=dict)
    summary: list[dict[str, str]] = field(default_factory=list)

    def add(self, name: str | None, label: str, message: str) -> None:
        if name and name not in self.by_field:
            self.by_field[name] = message
        self.summary.append({"id": name or "", "label": label, "message": message})

    def __bool__(self) -> bool:
        return bool(self.summary)


def errors_from(exc: ApiProblem, labels: Mapping[str, str], rename: Any = None) -> FormErrors:
    """A service's 422 as form errors; an error on no known field goes to the summary only."""
    errors = FormErrors()
    for item in exc.field_errors:
        name = (rename or _last_part)(str(item.get("field", "")))
        message = field_message(str(item.get("code", "")), str(item.get("message", "")))
        if name in labels:
            errors.add(name, labels[name], message)
        else:
            errors.add(None, "", message)
    if not errors:
        errors.add(None, "", problem_message(exc.slug))
    return errors


def _last_part(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def identite_field(path: str) -> str:
    """`identite.adresse.ligne1` -> `adresse_ligne1`, `identite.prenoms` -> `prenoms`."""
    parts = path.split(".")
    if parts and parts[0] == "identite":
        parts = parts[1:]
    if len(parts) == 2 and parts[0] == "adresse":
        return ADRESSE_FIELDS.get(parts[1], parts[1])
    return parts[-1] if parts else ""


def _text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def identite_from_form(data: Mapping[str, Any]) -> dict[str, Any]:
    """The identity as the accounts service takes it; blanks left out (it names what lacks)."""
    identite: dict[str, Any] = {
        name: _text(data, name)
        for name in (
            "civilite",
            "nom_naissance",
            "nom_usage",
            "prenoms",
            "date_naissance",
            "pays_naissance",
            "commune_naissance",
            "departement_naissance",
            "nationalite",
            "telephone",
        )
    }
    adresse = {
        "ligne1": _text(data, "adresse_ligne1"),
        "ligne2": _text(data, "adresse_ligne2"),
        "code_postal": _text(data, "code_postal"),
        "commune": _text(data, "commune"),
        "pays": _text(data, "pays"),
    }
    identite["adresse"] = {k: v for k, v in adresse.items() if v is not None}
    for upper in ("pays_naissance", "nationalite"):
        if identite[upper]:
            identite[upper] = identite[upper].upper()
    if identite["adresse"].get("pays"):
        identite["adresse"]["pays"] = identite["adresse"]["pays"].upper()
    return {k: v for k, v in identite.items() if v is not None}


def identite_to_form(identite: Mapping[str, Any] | None) -> dict[str, str]:
    if not identite:
        return {}
    values = {k: str(v) for k, v in identite.items() if v is not None and k != "adresse"}
    for key, value in (identite.get("adresse") or {}).items():
        if value is not None:
            values[ADRESSE_FIELDS.get(key, key)] = str(value)
    return values


def text_values(data: Mapping[str, Any]) -> dict[str, str]:
    """What the candidate typed, to fill the form again (passwords never come back)."""
    return {
        k: v for k, v in data.items() if isinstance(v, str) and "password" not in k and k != "csrf"
    }


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def idempotency_key(session_csrf: str, nonce: object) -> str:
    """One key per form as rendered: a double click sends the same form twice, hence the same
    key, and the service answers the second with the first's result (one candidature)."""
    given = nonce if isinstance(nonce, str) and 0 < len(nonce) <= 64 else new_nonce()
    return hashlib.sha256(f"{session_csrf}:{given}".encode()).hexdigest()
