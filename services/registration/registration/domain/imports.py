"""Bulk import of the référentiel: a batch is validated whole, every problem listed, before
anything is written (domain.md §2.3)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError, model_validator

from registration.domain.errors import ImportRefused, Issue
from registration.domain.referentiel import (
    Academie,
    Annee,
    Categorie,
    Code,
    Diplome,
    Epreuve,
    Etablissement,
    Examen,
    Item,
    Libelle,
    Mode,
    Nature,
    Option,
    OptionalDecimal,
    ServiceGestionnaire,
    Session,
    Specialite,
    TypeAcquis,
)

MAX_ROWS = 5000
YEAR: TypeAdapter[int] = TypeAdapter(Annee)

KINDS: dict[str, type[Item]] = {
    "examens": Examen,
    "sessions": Session,
    "academies": Academie,
    "categories": Categorie,
    "etablissements": Etablissement,
    "specialites": Specialite,
    "epreuves": Epreuve,
    "types_acquis": TypeAcquis,
    "diplomes": Diplome,
    "services_gestionnaires": ServiceGestionnaire,
}


class EpreuveArbre(Item):
    """An épreuve written inside its spécialité, sous-épreuves nested (the seed's form)."""

    code: Code
    libelle: Libelle
    libelle_court: str | None = Field(default=None, min_length=1, max_length=60)
    nature: Nature
    modes: list[Mode] = Field(default_factory=list)
    options: list[Option] = Field(default_factory=list)
    coefficient: OptionalDecimal = Field(default=None, ge=0, le=100, decimal_places=2)
    sous_epreuves: list[EpreuveArbre] = Field(default_factory=list, max_length=20)


class SpecialiteAvecEpreuves(Specialite):
    epreuves: list[EpreuveArbre] = Field(default_factory=list, max_length=100)


# What `PUT /admin/referentiel/{kind}` takes: one item of the path's kind.
ItemUnion = (
    Examen
    | Session
    | Academie
    | Categorie
    | Etablissement
    | SpecialiteAvecEpreuves
    | Epreuve
    | TypeAcquis
    | Diplome
    | ServiceGestionnaire
)


class ImportBatch(Item):
    examens: list[Examen] = Field(default_factory=list)
    sessions: list[Session] = Field(default_factory=list)
    academies: list[Academie] = Field(default_factory=list)
    categories: list[Categorie] = Field(default_factory=list)
    etablissements: list[Etablissement] = Field(default_factory=list)
    specialites: list[SpecialiteAvecEpreuves] = Field(default_factory=list)
    epreuves: list[Epreuve] = Field(default_factory=list)
    types_acquis: list[TypeAcquis] = Field(default_factory=list)
    diplomes: list[Diplome] = Field(default_factory=list)
    services_gestionnaires: list[ServiceGestionnaire] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: Any) -> Any:
        if isinstance(data, dict):
            rows = sum(len(value) for value in data.values() if isinstance(value, list))
            if rows > MAX_ROWS:
                raise ValueError(f"{rows} rows: an import holds at most {MAX_ROWS}")
        return data


@dataclass
class Changes:
    """A validated batch, flattened: each item with where it came from (for error messages)."""

    items: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)

    def of(self, kind: str) -> list[tuple[str, Any]]:
        return self.items.get(kind, [])


@dataclass(frozen=True)
class Known:
    """Keys already in the référentiel; an import may refer to them or to its own rows."""

    examens: frozenset[str] = frozenset()
    sessions: frozenset[tuple[str, int]] = frozenset()
    academies: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    specialites: frozenset[tuple[str, int, str]] = frozenset()
    # épreuve key -> its parent's code
    epreuves: dict[tuple[str, int, str, str], str | None] = field(default_factory=dict)


def parse_batch(data: Any) -> ImportBatch:
    try:
        return ImportBatch.model_validate(data)
    except ValidationError as exc:
        raise ImportRefused(validation_issues(exc)) from None


def validation_issues(exc: ValidationError) -> list[Issue]:
    return [
        Issue(_location(tuple(error["loc"])), error["msg"], error["type"])
        for error in exc.errors(include_url=False, include_input=False)
    ]


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def flatten(batch: ImportBatch) -> Changes:
    changes = Changes()
    for kind in KINDS:
        if kind == "specialites":
            continue
        items = getattr(batch, kind)
        changes.items[kind] = [(f"{kind}[{i}]", item) for i, item in enumerate(items)]
    changes.items["specialites"] = []
    for i, specialite in enumerate(batch.specialites):
        where = f"specialites[{i}]"
        plain = Specialite.model_validate(specialite.model_dump(exclude={"epreuves"}))
        changes.items["specialites"].append((where, plain))
        changes.items["epreuves"].extend(_nested(specialite, specialite.epreuves, None, where))
    return changes


def _nested(
    specialite: Specialite, arbres: list[EpreuveArbre], parent: str | None, where: str
) -> Iterator[tuple[str, Epreuve]]:
    for rang, arbre in enumerate(arbres):
        here = f"{where}.{'sous_epreuves' if parent else 'epreuves'}[{rang}]"
        yield (
            here,
            Epreuve(
                examen=specialite.examen,
                session=specialite.session,
                specialite=specialite.code,
                code=arbre.code,
                parent=parent,
                libelle=arbre.libelle,
                libelle_court=arbre.libelle_court,
                nature=arbre.nature,
                modes=arbre.modes,
                options=arbre.options,
                coefficient=arbre.coefficient,
                rang=rang,
            ),
        )
        yield from _nested(specialite, arbre.sous_epreuves, arbre.code, here)


KEYS: dict[str, tuple[str, ...]] = {
    "examens": ("code",),
    "sessions": ("examen", "annee"),
    "academies": ("code",),
    "categories": ("code",),
    "etablissements": ("code",),
    "specialites": ("examen", "session", "code"),
    "epreuves": ("examen", "session", "specialite", "code"),
    "types_acquis": ("code",),
    "diplomes": ("code",),
    # The académie's office (no examen), or an examen's office in that académie.
    "services_gestionnaires": ("academie", "examen"),
}


def key_of(kind: str, item: BaseModel) -> tuple[Any, ...]:
    return tuple(getattr(item, name) for name in KEYS[kind])


def check(changes: Changes, known: Known) -> list[Issue]:
    """Every problem of a batch: duplicates, and references to codes that exist neither in
    the référentiel nor in the batch."""
    issues = [issue for kind in KINDS for issue in _duplicates(kind, changes.of(kind))]
    merged = _merge(changes, known)
    issues += _reference_issues(changes, merged)
    return issues


def _duplicates(kind: str, rows: list[tuple[str, Any]]) -> Iterator[Issue]:
    counts = Counter(key_of(kind, item) for _, item in rows)
    seen: set[tuple[Any, ...]] = set()
    for where, item in rows:
        key = key_of(kind, item)
        if counts[key] > 1 and key in seen:
            yield Issue(where, f"{'/'.join(map(str, key))} appears more than once", "duplicate")
        seen.add(key)


def _merge(changes: Changes, known: Known) -> Known:
    keys = {kind: {key_of(kind, item) for _, item in changes.of(kind)} for kind in KINDS}
    epreuves = dict(known.epreuves)
    epreuves.update({key_of("epreuves", e): e.parent for _, e in changes.of("epreuves")})
    return Known(
        examens=known.examens | {k[0] for k in keys["examens"]},
        sessions=known.sessions | keys["sessions"],
        academies=known.academies | {k[0] for k in keys["academies"]},
        categories=known.categories | {k[0] for k in keys["categories"]},
        specialites=known.specialites | keys["specialites"],
        epreuves=epreuves,
    )


def _reference_issues(changes: Changes, known: Known) -> list[Issue]:
    issues: list[Issue] = []
    for where, session in changes.of("sessions"):
        issues += _missing(where, "examen", session.examen, known.examens)
    for where, specialite in changes.of("specialites"):
        key = (specialite.examen, specialite.session)
        issues += _missing(where, "session", key, known.sessions)
    for where, epreuve in changes.of("epreuves"):
        issues += _epreuve_issues(where, epreuve, known)
    for where, office in changes.of("services_gestionnaires"):
        issues += _missing(where, "academie", office.academie, known.academies)
        if office.examen is not None:
            issues += _missing(where, "examen", office.examen, known.examens)
    for where, etablissement in changes.of("etablissements"):
        if etablissement.academie is not None:
            issues += _missing(where, "academie", etablissement.academie, known.academies)
        for categorie in etablissement.categories:
            issues += _missing(where, "categories", categorie, known.categories)
    return issues


def _missing(where: str, name: str, value: Any, known: Iterable[Any]) -> list[Issue]:
    if value in known:
        return []
    shown = "/".join(map(str, value)) if isinstance(value, tuple) else value
    return [Issue(f"{where}.{name}", f"unknown {name} {shown}", "unknown-code")]


def _epreuve_issues(where: str, epreuve: Epreuve, known: Known) -> list[Issue]:
    specialite = (epreuve.examen, epreuve.session, epreuve.specialite)
    issues = _missing(where, "specialite", specialite, known.specialites)
    if epreuve.parent is None:
        return issues
    parent_key = (*specialite, epreuve.parent)
    if epreuve.parent == epreuve.code:
        return [*issues, Issue(f"{where}.parent", "an épreuve is not its own parent", "cycle")]
    if parent_key not in known.epreuves:
        return [*issues, *_missing(where, "parent", epreuve.parent, ())]
    if known.epreuves[parent_key] is not None:
        message = f"{epreuve.parent} is itself a sous-épreuve: the tree has two levels"
        issues.append(Issue(f"{where}.parent", message, "too-deep"))
    if (*specialite, epreuve.code) in _parents(known):
        message = f"{epreuve.code} has sous-épreuves: it cannot become one (two levels)"
        issues.append(Issue(f"{where}.parent", message, "too-deep"))
    return issues


def _parents(known: Known) -> set[tuple[str, int, str, str]]:
    """The épreuves that have sous-épreuves, by key."""
    return {(*key[:3], parent) for key, parent in known.epreuves.items() if parent is not None}


def parents_first(rows: list[tuple[str, Epreuve]]) -> list[tuple[str, Epreuve]]:
    return sorted(rows, key=lambda row: row[1].parent is not None)


# --- CSV ---------------------------------------------------------------------------------------


def decode_csv(raw: bytes) -> str:
    """UTF-8, with or without the BOM that spreadsheets write; anything else is refused."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = (
            f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save it as CSV UTF-8"
        )
        raise ImportRefused([Issue("body", message, "encoding")]) from None


def csv_rows(text: str, kind: str) -> list[dict[str, str]]:
    model = KINDS.get(kind)
    if model is None:
        raise ImportRefused([Issue("kind", f"unknown kind {kind!r}", "unknown-kind")])
    delimiter = ";" if ";" in text.partition("\n")[0] else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        lines = list(reader)
    except csv.Error as exc:
        raise ImportRefused([Issue("body", f"malformed CSV: {exc}", "malformed-csv")]) from None
    if not lines:
        raise ImportRefused([Issue("body", "the file is empty", "empty")])
    header, body = [name.strip() for name in lines[0]], lines[1:]
    _check_header(header, model)
    if len(body) > MAX_ROWS:
        raise ImportRefused([Issue("body", f"at most {MAX_ROWS} rows per import", "too-many")])
    return _records(header, body)


def _check_header(header: list[str], model: type[Item]) -> None:
    fields = model.model_fields
    required = {name for name, info in fields.items() if info.is_required()}
    issues = [Issue(f"column {name}", "unknown column", "unknown-column") for name in header]
    issues = [issue for issue, name in zip(issues, header, strict=True) if name not in fields]
    issues += [
        Issue(f"column {name}", "missing column", "missing-column")
        for name in sorted(required - set(header))
    ]
    issues += [
        Issue(f"column {name}", "column given twice", "duplicate-column")
        for name, times in Counter(header).items()
        if times > 1
    ]
    if issues:
        raise ImportRefused(issues)


def _records(header: list[str], body: list[list[str]]) -> list[dict[str, str]]:
    records: list[dict[str, str]] = []
    issues: list[Issue] = []
    for number, cells in enumerate(body, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            message = f"{len(cells)} cells where the header has {len(header)}"
            issues.append(Issue(f"line {number}", message, "cell-count"))
            continue
        records.append({name: cell for name, cell in zip(header, cells, strict=True) if cell})
    if issues:
        raise ImportRefused(issues)
    return records


def csv_batch(raw: bytes, kind: str) -> ImportBatch:
    rows = csv_rows(decode_csv(raw), kind)
    try:
        return ImportBatch.model_validate({kind: rows})
    except ValidationError as exc:
        raise ImportRefused(_csv_issues(exc)) from None


def _csv_issues(exc: ValidationError) -> list[Issue]:
    """`epreuves[3].nature` becomes `line 5.nature`: the header is line 1."""
    issues = []
    for error in exc.errors(include_url=False, include_input=False):
        loc = tuple(error["loc"])
        if len(loc) >= 2 and isinstance(loc[1], int):
            place = f"line {loc[1] + 2}" + "".join(f".{part}" for part in loc[2:])
        else:
            place = _location(loc)
        issues.append(Issue(place, error["msg"], error["type"]))
    return issues


def parse_key(kind: str, parts: list[str]) -> tuple[Any, ...]:
    """An item's key from a path (`BTS/2027/BANQUE`): years are numbers, the rest codes."""
    names = KEYS.get(kind)
    if names is None:
        raise ImportRefused([Issue("kind", f"unknown kind {kind!r}", "unknown-kind")])
    if kind == "services_gestionnaires" and len(parts) == 1:
        return (parts[0], None)  # the académie's own office
    if len(parts) != len(names):
        message = f"a {kind} key is {'/'.join(names)}"
        raise ImportRefused([Issue("key", message, "bad-key")])
    return tuple(
        _year(name, part) if name in {"annee", "session"} else part
        for name, part in zip(names, parts, strict=True)
    )


def _year(name: str, part: str) -> int:
    """A year of a key, within the bounds of `Annee` (a larger number would not fit the column)."""
    try:
        return YEAR.validate_python(part)
    except ValidationError as exc:
        message = exc.errors(include_url=False)[0]["msg"]
        raise ImportRefused([Issue(f"key.{name}", message, "bad-key")]) from None
