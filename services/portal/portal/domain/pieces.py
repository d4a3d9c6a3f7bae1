"""The uploads service's answer for a candidature's pièces, read tolerantly: groups (with their
deadline) holding pièces, or a flat list of pièces naming their group. Field names are taken
from a few likely spellings, so the page works while that API settles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STATUTS = {
    None: "",
    "": "",
    "recue": "Reçue",
    "reçue": "Reçue",
    "conforme": "Conforme",
    "non_conforme": "Non Conforme",
    "non-conforme": "Non Conforme",
}


DEFAULT_FORMATS = ["PDF", "JPEG", "PNG"]


def pick(item: Mapping[str, Any], *names: str) -> Any:
    return next((item[n] for n in names if n in item and item[n] is not None), None)


def statut(value: Any) -> str:
    key = str(value).lower() if value is not None else None
    return STATUTS.get(key, str(value).replace("_", " ").capitalize())


def piece(item: Mapping[str, Any]) -> dict[str, Any]:
    files = pick(item, "files", "fichiers") or []
    return {
        "id": str(pick(item, "id", "piece_id", "code") or ""),
        "libelle": pick(item, "libelle", "label", "title", "nom") or "Pièce",
        "statut": statut(pick(item, "statut", "status")),
        "commentaire": pick(item, "commentaire", "comment"),
        "deposee_le": pick(item, "deposee_le", "deposited_at", "uploaded_at"),
        "validee_le": pick(item, "validee_le", "validated_at"),
        "recue_le": pick(item, "recue_le", "received_at"),
        "fichiers": [f for f in files if isinstance(f, Mapping)],
        "formats": pick(item, "formats", "accepted_types", "content_types") or DEFAULT_FORMATS,
        "taille_max": pick(item, "taille_max", "max_size", "max_bytes"),
        "modifiable": not pick(item, "validee_le", "validated_at")
        or statut(pick(item, "statut", "status")) == "Non Conforme",
    }


def group(item: Mapping[str, Any], pieces: list[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "id": str(pick(item, "id", "groupe_id", "group_id", "code") or ""),
        "libelle": pick(item, "libelle", "label", "title") or "Pièces à fournir",
        "date_limite": pick(item, "date_limite", "deadline", "due_at"),
        "fuseau": pick(item, "fuseau_horaire", "time_zone", "timezone") or "Europe/Paris",
        "pieces": [piece(p) for p in pieces],
    }


def groups_of(answer: Any) -> list[dict[str, Any]]:
    if isinstance(answer, Mapping):
        answer = pick(answer, "groupes", "groups", "regroupements", "pieces", "items") or []
    if not isinstance(answer, list):
        return []
    items = [a for a in answer if isinstance(a, Mapping)]
    if any(pick(a, "pieces", "items") is not None for a in items):
        return [group(a, list(pick(a, "pieces", "items") or [])) for a in items]
    by_group: dict[str, list[Mapping[str, Any]]] = {}
    heads: dict[str, Mapping[str, Any]] = {}
    for a in items:
        key = str(pick(a, "groupe_id", "group_id", "groupe", "group", "date_limite", "deadline"))
        by_group.setdefault(key, []).append(a)
        heads.setdefault(key, {**a, "id": pick(a, "groupe_id", "group_id", "groupe", "group")})
    found = [group(heads[k], v) for k, v in by_group.items()]
    return sorted(found, key=lambda g: str(g["date_limite"] or ""))
