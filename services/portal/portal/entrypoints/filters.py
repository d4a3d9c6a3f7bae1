"""Jinja filters: dates as the guide prints them, lists of choices."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from portal.domain.messages import field_message

PARIS = "Europe/Paris"
KINDS = {
    "confirmation_inscription": "Confirmation d'inscription",
    "demande_pieces": "Demande de pièces justificatives",
    "relance_pieces": "Relance de pièces justificatives",
    "notification_amenagement": "Notification de mesures d'aménagements",
    "convocation": "Convocation",
    "releve_de_notes": "Relevé de notes",
    "autre": "Document",
}


def _parse(value: Any) -> datetime | date | None:
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def local(value: Any) -> str:
    """`2026-11-18T17:00:00+01:00` -> `18/11/2026 à 17h00` (the time as given: local already)."""
    parsed = _parse(value)
    if isinstance(parsed, datetime):
        return f"{parsed:%d/%m/%Y} à {parsed:%H}h{parsed:%M}"
    if isinstance(parsed, date):
        return f"{parsed:%d/%m/%Y}"
    return str(value or "")


def in_zone(value: Any, zone: str = PARIS) -> str:
    """An instant shown in a time zone (Paris unless the académie has another)."""
    parsed = _parse(value)
    if isinstance(parsed, datetime) and parsed.tzinfo is not None:
        shown = parsed.astimezone(ZoneInfo(zone))
        where = "heure de Paris" if zone == PARIS else "heure locale"
        return f"{shown:%d/%m/%Y} à {shown:%H}h{shown:%M} ({where})"
    return local(value)


def day(value: Any) -> str:
    parsed = _parse(value)
    if isinstance(parsed, datetime | date):
        return f"{parsed:%d/%m/%Y}"
    return str(value or "")


def pairs(items: Iterable[Mapping[str, Any]], key: str, label: str) -> list[tuple[Any, Any]]:
    return [(item.get(key), item.get(label)) for item in items or []]


def version(value: Any) -> str:
    return f"Version {int(value):02d}" if value is not None else ""


def kind(value: Any) -> str:
    return KINDS.get(str(value), str(value).replace("_", " ").capitalize())


def size(value: Any) -> str:
    number = int(value or 0)
    if number >= 1024 * 1024:
        return f"{number / 1024 / 1024:.1f} Mo".replace(".", ",")
    return f"{max(1, round(number / 1024))} Ko"


def zip_self(values: Iterable[Any]) -> list[tuple[Any, Any]]:
    return [(value, value) for value in values or []]


def field_fr(code: Any, message: Any = "") -> str:
    return field_message(str(code), str(message))


FILTERS: dict[str, Callable[..., Any]] = {
    "zip_self": zip_self,
    "field_fr": field_fr,
    "local": local,
    "in_zone": in_zone,
    "day": day,
    "pairs": pairs,
    "version": version,
    "kind": kind,
    "size": size,
}
