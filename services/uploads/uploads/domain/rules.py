"""Which pièces a candidature must provide: the examen's rules (data, from the `piece_rules`
table) applied to the facts of a saved version. Pure: no I/O.

One pièce per rule that applies, except the bénéfice and dispense rules, which give one pièce
per acquis (the épreuve is the pièce's `ref`). A modification is reconciled with the pièces
already there: new ones are added, those no longer needed retired (their files kept), retired
ones needed again brought back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from shared.events.catalogue import Recapitulatif


class Condition(StrEnum):
    TOUJOURS = "toujours"
    DIPLOME_POSSEDE = "diplome_possede"
    BENEFICE = "benefice"
    DISPENSE = "dispense"
    AMENAGEMENT = "amenagement"
    CATEGORIE = "categorie"


@dataclass(frozen=True)
class Rule:
    code: str
    libelle: str
    condition: Condition
    groupe: str
    groupe_libelle: str
    formats: tuple[str, ...]
    max_bytes: int
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facts:
    """What the rules look at in a saved version."""

    categorie_code: str | None
    categorie: str | None
    diplome: str | None
    benefices: tuple[str, ...] = ()
    dispenses: tuple[str, ...] = ()
    amenagement: bool = False

    @classmethod
    def of(cls, recap: Recapitulatif) -> Facts:
        libelles = {e.code: e.intitule or f"{e.code} - {e.libelle}" for e in recap.epreuves}
        used = [a for a in recap.acquis if a.utilise]

        def epreuves(kind: str) -> tuple[str, ...]:
            codes = [a.epreuve for a in used if a.type.upper().startswith(kind)]
            return tuple(libelles.get(code, code) for code in dict.fromkeys(codes))

        return cls(
            categorie_code=recap.categorie_code,
            categorie=recap.categorie,
            diplome=recap.diplome_possede or recap.diplome_code,
            benefices=epreuves("BENEFICE"),
            dispenses=epreuves("DISPENSE"),
            amenagement=bool(recap.amenagement),
        )


@dataclass(frozen=True)
class Wanted:
    """A pièce the candidature needs; (code, ref) names it within the candidature."""

    code: str
    ref: str
    libelle: str
    groupe: str
    groupe_libelle: str
    formats: tuple[str, ...]
    max_bytes: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.code, self.ref)


def pieces_for(facts: Facts, rules: Iterable[Rule]) -> list[Wanted]:
    wanted: list[Wanted] = []
    for rule in rules:
        wanted += [_wanted(rule, ref, libelle) for ref, libelle in _applies(rule, facts)]
    return wanted


def _applies(rule: Rule, facts: Facts) -> list[tuple[str, str]]:
    """(ref, libellé) of each pièce the rule asks of these facts."""
    match rule.condition:
        case Condition.TOUJOURS:
            return [("", rule.libelle)]
        case Condition.DIPLOME_POSSEDE:
            return [("", rule.libelle.replace("{diplome}", facts.diplome))] if facts.diplome else []
        case Condition.BENEFICE:
            return [(e, rule.libelle.replace("{epreuve}", e)) for e in facts.benefices]
        case Condition.DISPENSE:
            return [(e, rule.libelle.replace("{epreuve}", e)) for e in facts.dispenses]
        case Condition.AMENAGEMENT:
            return [("", rule.libelle)] if facts.amenagement else []
        case Condition.CATEGORIE:
            categories = {c.upper() for c in rule.categories}
            mine = {(facts.categorie_code or "").upper(), (facts.categorie or "").upper()}
            return [("", rule.libelle)] if categories & mine else []
    return []


def _wanted(rule: Rule, ref: str, libelle: str) -> Wanted:
    return Wanted(
        code=rule.code,
        ref=ref,
        libelle=libelle,
        groupe=rule.groupe,
        groupe_libelle=rule.groupe_libelle,
        formats=rule.formats,
        max_bytes=rule.max_bytes,
    )


@dataclass(frozen=True)
class Plan:
    add: list[Wanted]
    retire: list[tuple[str, str]]
    revive: list[tuple[str, str]]


def reconcile(existing: Mapping[tuple[str, str], bool], wanted: Sequence[Wanted]) -> Plan:
    """`existing`: each pièce's key and whether it is active. Nothing is ever deleted."""
    keys = {w.key for w in wanted}
    return Plan(
        add=[w for w in wanted if w.key not in existing],
        retire=[key for key, active in existing.items() if active and key not in keys],
        revive=[key for key, active in existing.items() if not active and key in keys],
    )
