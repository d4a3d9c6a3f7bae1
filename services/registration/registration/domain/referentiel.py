"""The référentiel's items as the service accepts and shows them (domain.md §2.1)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, field_validator

CODE_PATTERN = r"^[A-Z0-9][A-Z0-9_-]{0,39}$"


class Nature(StrEnum):
    OBLIGATOIRE = "obligatoire"
    FACULTATIVE = "facultative"
    A_CHOIX = "a_choix"


class Mode(StrEnum):
    PONCTUEL = "ponctuel"
    CCF = "ccf"


class Forme(StrEnum):
    GLOBALE = "globale"
    PROGRESSIVE = "progressive"


def _split_list(value: Any) -> Any:
    """CSV cells hold lists as `a|b|c`; an empty cell is an empty list."""
    if isinstance(value, str):
        return [part.strip() for part in value.split("|") if part.strip()]
    return value


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Code = Annotated[str, Field(pattern=CODE_PATTERN)]
Libelle = Annotated[str, Field(min_length=1, max_length=200)]
FIRST_YEAR, LAST_YEAR = 2000, 2100
Annee = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
CodeList = Annotated[list[Code], BeforeValidator(_split_list), Field(max_length=50)]
Option = Annotated[str, Field(min_length=1, max_length=60)]
OptionalCode = Annotated[Code | None, BeforeValidator(_blank_is_none)]
OptionalDecimal = Annotated[Decimal | None, BeforeValidator(_blank_is_none)]
OptionalInt = Annotated[int | None, BeforeValidator(_blank_is_none)]


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Examen(Item):
    code: Code
    libelle: Libelle
    centres_etrangers: bool = False


class Session(Item):
    examen: Code
    annee: Annee
    libelle: Libelle
    # How many facultatives a candidate may take (guide, 5.6; since 2024: two).
    facultatives_max: int = Field(default=2, ge=0, le=20)


class Academie(Item):
    code: Code
    libelle: Libelle
    fuseau_horaire: str = Field(min_length=1, max_length=64)
    outre_mer: bool = False
    etranger: bool = False

    @field_validator("fuseau_horaire")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not is_time_zone(value):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Paris)")
        return value


class Specialite(Item):
    examen: Code
    session: Annee
    code: Code
    libelle: Libelle


class Epreuve(Item):
    """One épreuve or sous-épreuve of a spécialité; `parent` names the épreuve it belongs to."""

    examen: Code
    session: Annee
    specialite: Code
    code: Code
    parent: OptionalCode = None
    libelle: Libelle
    # What the récapitulatif prints when the long label is too long (guide: "E4 -
    # Dévelop.suivi.activ.commercia.").
    libelle_court: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, min_length=1, max_length=60
    )
    nature: Nature
    modes: Annotated[list[Mode], BeforeValidator(_split_list)] = []
    options: Annotated[list[Option], BeforeValidator(_split_list), Field(max_length=50)] = []
    coefficient: OptionalDecimal = Field(default=None, ge=0, le=100, decimal_places=2)
    rang: OptionalInt = Field(default=None, ge=0, le=10_000)


class Categorie(Item):
    code: Code
    libelle: Libelle
    modes: Annotated[list[Mode], BeforeValidator(_split_list), Field(min_length=1)]
    formes: Annotated[list[Forme], BeforeValidator(_split_list), Field(min_length=1)]


class Etablissement(Item):
    code: Code
    libelle: Libelle
    academie: OptionalCode = None
    categories: CodeList = []


class TypeAcquis(Item):
    code: Code
    libelle: Libelle
    note_min: OptionalDecimal = Field(default=None, ge=0, le=20)
    duree_validite_ans: OptionalInt = Field(default=None, ge=1, le=50)


_CODE = CODE_PATTERN.strip("^$")
# "<examen>/<spécialité>/<épreuve>": an épreuve a diplôme held dispenses ("BTS/BANQUE/E1").
DispenseRef = Annotated[str, Field(pattern=rf"^{_CODE}/{_CODE}/{_CODE}$")]
DispenseList = Annotated[list[DispenseRef], BeforeValidator(_split_list), Field(max_length=500)]


class Diplome(Item):
    code: Code
    libelle: Libelle
    # Printed after the libellé on the récapitulatif: "BACCALAURÉAT GÉNÉRAL - Bac général".
    libelle_court: Annotated[Libelle | None, BeforeValidator(_blank_is_none)] = None
    dispenses: DispenseList = []


AdresseLigne = Annotated[str, Field(min_length=1, max_length=120)]
# French or international numbers, written the way people do ("01 99 00 00 03", "+262 …").
Telephone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 .-]{5,24}$")]


class ServiceGestionnaire(Item):
    """The exam office of an académie that candidates contact (guide, chapter 4); with an
    `examen`, the office of that examen only, when it is handled elsewhere."""

    academie: Code
    examen: OptionalCode = None
    libelle: Libelle
    adresse: Annotated[
        list[AdresseLigne], BeforeValidator(_split_list), Field(min_length=1, max_length=6)
    ]
    email: EmailStr
    telephone: Telephone
    horaires: Annotated[str, Field(min_length=1, max_length=300)]


class Coordonnees(BaseModel):
    """A service gestionnaire as candidates read it (the fields of the catalogue's
    `ServiceGestionnaire` part, so that the candidature copies it into its events)."""

    libelle: str
    adresse: list[str]
    email: str
    telephone: str
    horaires: str


def is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class EpreuveNode(BaseModel):
    """An épreuve as the wizard shows it, with its sous-épreuves."""

    code: str
    libelle: str
    libelle_court: str | None = None
    nature: Nature
    modes: list[Mode]
    options: list[str]
    coefficient: Decimal | None
    sous_epreuves: list[EpreuveNode] = []


def epreuve_tree(rows: list[Epreuve]) -> list[EpreuveNode]:
    """Épreuves ordered by rang, each with its sous-épreuves; rows come in display order."""
    children: dict[str | None, list[Epreuve]] = {}
    for row in rows:
        children.setdefault(row.parent, []).append(row)

    def nodes(parent: str | None) -> list[EpreuveNode]:
        return [
            EpreuveNode(
                code=row.code,
                libelle=row.libelle,
                libelle_court=row.libelle_court,
                nature=row.nature,
                modes=row.modes,
                options=row.options,
                coefficient=row.coefficient,
                sous_epreuves=nodes(row.code),
            )
            for row in children.get(parent, [])
        ]

    return nodes(None)
