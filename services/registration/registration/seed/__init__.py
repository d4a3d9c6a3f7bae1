"""The seed référentiel shipped with the service: every académie (with a fictitious service
gestionnaire), session 2027, three BTS spécialités with their épreuves, catégories,
établissements and Grand Public windows.

Loading it twice changes nothing: items are upserted by code, and a window is added only to
an académie that has none for the examen and session (a gestionnaire's dates are kept).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
from pydantic import Field, NaiveDatetime

from registration.adapters import fenetres_sql
from registration.domain.errors import ImportRefused, Issue
from registration.domain.fenetres import Periode, local_to_utc
from registration.domain.imports import parse_batch
from registration.domain.referentiel import Annee, Code, Item
from registration.handlers.referentiel import import_batch

SEED = Path(__file__).parent
KIND_FILES = (
    "examens",
    "sessions",
    "academies",
    "categories",
    "etablissements",
    "specialites",
    "types_acquis",
    "diplomes",
    # Fictitious contact details (the file says so): real ones come through the import.
    "services_gestionnaires",
)


class FenetresSeed(Item):
    """Windows given in local wall-clock time, the same for a group of académies."""

    examen: Code
    session: Annee
    ouverture_locale: NaiveDatetime
    fermeture_locale: NaiveDatetime
    academies: list[Code] = Field(min_length=1)


def read(name: str) -> Any:
    """A seed file: a list of items, or an object whose `items` are (the others are notes)."""
    data = json.loads((SEED / f"{name}.json").read_text(encoding="utf-8"))
    return data["items"] if isinstance(data, dict) else data


async def load_seed(conn: asyncpg.Connection) -> dict[str, int]:
    """Load the seed in the caller's transaction; return how many items of each kind."""
    batch = parse_batch({kind: read(kind) for kind in KIND_FILES})
    counts = await import_batch(conn, batch)
    zones = {academie.code: academie.fuseau_horaire for academie in batch.academies}
    groups = [FenetresSeed.model_validate(group) for group in read("fenetres")]
    counts["fenetres_added"] = await _add_windows(conn, groups, zones)
    return counts


async def _add_windows(
    conn: asyncpg.Connection, groups: list[FenetresSeed], zones: dict[str, str]
) -> int:
    added = 0
    for group in groups:
        for academie in group.academies:
            periode = _periode(group, academie, zones)
            key = (group.examen, group.session, academie)
            added += await fenetres_sql.insert_fenetre_if_none(conn, *key, periode)
    return added


def _periode(group: FenetresSeed, academie: str, zones: dict[str, str]) -> Periode:
    if academie not in zones:
        raise ImportRefused([Issue("fenetres.academies", f"unknown {academie}", "unknown-code")])
    zone = zones[academie]
    return Periode(_utc(group.ouverture_locale, zone), _utc(group.fermeture_locale, zone))


def _utc(local: datetime, zone: str) -> datetime:
    return local_to_utc(local, zone)
