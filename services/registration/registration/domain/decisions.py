"""The back office's rules without I/O: the decisions' reasons, the standard aménagement
measures, and which tabs and fields changed between two versions of a candidature."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

REASON_MAX = 2000


class DecisionKind(StrEnum):
    ECARTER = "ecarter"
    DESINSCRIRE = "desinscrire"
    AMENAGEMENT = "amenagement"


class Mesure(StrEnum):
    """The standard measures of a notification de mesures d'aménagement (domain.md §3.2.2);
    anything else goes in the decision's free text."""

    TIERS_TEMPS = "tiers-temps"
    SECRETAIRE = "secretaire"
    SALLE_A_PART = "salle-a-part"
    AIDE_TECHNIQUE = "aide-technique"
    CONDITIONS_MATERIELLES = "conditions-materielles"
    ETALEMENT = "etalement-sur-plusieurs-sessions"
    ADAPTATION_EPREUVES = "adaptation-des-epreuves"
    DISPENSE_EPREUVES = "dispense-d-epreuves"


def check_reason(text: str) -> str:
    """A reason is mandatory, at most 2,000 characters, without control characters (a line
    break excepted): it is shown to people and goes into events and CSV exports."""
    if not text.strip():
        raise ValueError("the reason is mandatory")
    if len(text) > REASON_MAX:
        raise ValueError(f"the reason is at most {REASON_MAX} characters")
    if any(unicodedata.category(c) == "Cc" and c != "\n" for c in text):
        raise ValueError("the reason may not contain control characters")
    return text


@dataclass(frozen=True)
class TabChange:
    onglet: str
    champs: list[str]


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[TabChange]:
    """The tabs whose input differs between two versions' `saisie` (tab → fields), each with
    the fields added, removed or changed, in a stable order."""
    changes: list[TabChange] = []
    for onglet in sorted(set(before) | set(after)):
        old, new = before.get(onglet), after.get(onglet)
        if old == new:
            continue
        if not isinstance(old, dict) or not isinstance(new, dict):
            keys = [set(side) for side in (old, new) if isinstance(side, dict)]
            changes.append(TabChange(onglet, sorted(set().union(*keys))))
            continue
        fields = {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
        changes.append(TabChange(onglet, sorted(fields)))
    return changes
