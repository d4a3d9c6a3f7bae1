"""The back office's search: its statuses, its keyset cursor (signed, bound to its filters)
and the CSV cells of the export. No I/O."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registration.domain.errors import InvalidCursor

# The statuses the back office names, and the candidatures' own (`statut`). A rejected
# candidature is a withdrawal with `ecartee_at` set (shown as `ecartee`); drafts are never shown.
STATUTS: dict[str, str] = {"active": "active", "withdrawn": "desinscrite", "rejected": "ecartee"}
STATUS_OF: dict[str, str] = {value: key for key, value in STATUTS.items()}

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True)
class Position:
    """Where a page ended in the order (nom_cle, id): the next page starts after it."""

    nom_cle: str
    id: uuid.UUID


def fingerprint(filtres: Mapping[str, Any]) -> str:
    """The filters a cursor was issued for: a cursor used with other filters is refused."""
    canonical = json.dumps(
        {k: v for k, v in sorted(filtres.items()) if v is not None}, default=str, sort_keys=True
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _mac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()[:16]


def encode_cursor(key: bytes, position: Position, filtres: Mapping[str, Any]) -> str:
    data = json.dumps(
        [position.nom_cle, str(position.id), fingerprint(filtres)], separators=(",", ":")
    ).encode()
    return base64.urlsafe_b64encode(_mac(key, data) + data).decode().rstrip("=")


def decode_cursor(key: bytes, cursor: str, filtres: Mapping[str, Any]) -> Position:
    """The position a cursor names; InvalidCursor when it was altered, was issued by another
    key or for other filters."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise InvalidCursor("the cursor is not valid") from None
    mac, data = raw[:16], raw[16:]
    if len(mac) != 16 or not hmac.compare_digest(mac, _mac(key, data)):
        raise InvalidCursor("the cursor is not valid")
    try:
        nom_cle, ident, issued_for = json.loads(data)
        position = Position(nom_cle=str(nom_cle), id=uuid.UUID(ident))
    except (ValueError, TypeError):
        raise InvalidCursor("the cursor is not valid") from None
    if issued_for != fingerprint(filtres):
        raise InvalidCursor("the cursor was issued for other filters")
    return position


# Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """One CSV cell: None is empty; a text a spreadsheet would run is quoted with `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    text = str(value)
    if text.startswith(_FORMULA):
        return "'" + text
    return text


def epreuves_cell(epreuves: list[Mapping[str, Any]]) -> str:
    """The épreuves and their positions in one cell: `E1 - … : Inscrit (Ponctuel) | …`."""
    parts = []
    for epreuve in epreuves:
        line = epreuve.get("intitule") or f"{epreuve.get('code')} - {epreuve.get('libelle')}"
        text = f"{line} : {epreuve.get('position')}"
        if epreuve.get("mode"):
            text += f" ({epreuve['mode']})"
        parts.append(text)
    return " | ".join(parts)
