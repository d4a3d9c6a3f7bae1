"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import asyncpg
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    GetJsonSchemaHandler,
    RootModel,
    TypeAdapter,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from registration.domain.fenetres import Periode, is_open, to_local, to_utc
from registration.domain.imports import ImportBatch, ItemUnion
from registration.domain.referentiel import (
    FIRST_YEAR,
    LAST_YEAR,
    Academie,
    Annee,
    Code,
    Coordonnees,
    EpreuveNode,
    Specialite,
)
from shared.types import Instant as IsoInstant


def _within_years(instant: datetime) -> datetime:
    """Far-off years would overflow when the instant is moved to UTC or to a local zone."""
    if not FIRST_YEAR <= instant.year <= LAST_YEAR:
        raise ValueError(f"the year must be between {FIRST_YEAR} and {LAST_YEAR}")
    return instant


# An ISO 8601 string with its offset (shared), within the years a session can have.
Instant = Annotated[IsoInstant, AfterValidator(_within_years)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OuvertureFilter(Request):
    domaine: Code | None = None
    session: Annee | None = None
    academie: Code | None = None


class EtablissementFilter(Request):
    academie: Code | None = None
    categorie: Code | None = None


class ServiceQuery(Request):
    # The examen's own office when it has one; the académie's otherwise.
    examen: Code | None = None


class AcademieDetail(Academie):
    """An académie with the office its candidates contact (for every examen that has none of
    its own: `GET /academies/{code}/service-gestionnaire?examen=` resolves that)."""

    service_gestionnaire: Coordonnees | None


class ImportQuery(Request):
    kind: str | None = None


class PeriodeFenetre(Request):
    """Instants with their offset (`2026-10-12T14:00:00+02:00`): a bare local time is refused,
    since it is ambiguous across a daylight-saving change."""

    ouverture: Instant
    fermeture: Instant

    def periode(self) -> Periode:
        return Periode(self.ouverture, self.fermeture)


class NouvelleFenetre(PeriodeFenetre):
    examen: Code
    session: Annee
    academie: Code


class Ouverture(BaseModel):
    """A Grand Public window as the "Ouverture des services" page lists it."""

    id: int
    examen: str
    examen_libelle: str
    session: int
    academie: str
    academie_libelle: str
    fuseau_horaire: str
    ouverture_locale: datetime
    fermeture_locale: datetime
    ouverture_utc: datetime
    fermeture_utc: datetime
    ouvert: bool

    @classmethod
    def of(cls, row: asyncpg.Record, now: datetime) -> Ouverture:
        zone = row["fuseau_horaire"]
        periode = Periode(row["ouverture"], row["fermeture"])
        return cls(
            id=row["id"],
            examen=row["examen_code"],
            examen_libelle=row["examen_libelle"],
            session=row["session_annee"],
            academie=row["academie_code"],
            academie_libelle=row["academie_libelle"],
            fuseau_horaire=zone,
            ouverture_locale=to_local(periode.ouverture, zone),
            fermeture_locale=to_local(periode.fermeture, zone),
            ouverture_utc=to_utc(periode.ouverture),
            fermeture_utc=to_utc(periode.fermeture),
            ouvert=is_open(periode, now),
        )


class SpecialiteDetail(Specialite):
    epreuves: list[EpreuveNode]


class ImportBody(RootModel[Any]):
    """A JSON import, described as `ImportBatch` but parsed by the handler (`parse_batch`), so
    that a refusal lists every problem the way a CSV's does (`specialites[1].nature`)."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(ImportBatch.__pydantic_core_schema__)


class ItemBody(RootModel[Any]):
    """One item of the kind the path names (one of the import's item models), parsed by the
    handler as a one-item import of that kind."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(ITEM_UNION.core_schema)


ITEM_UNION: TypeAdapter[Any] = TypeAdapter(ItemUnion)


class ImportSummary(BaseModel):
    applied: dict[str, int]


class RemovalResult(BaseModel):
    kind: str
    key: list[Any]
    result: str


class IdentiteLocale(BaseModel):
    account_id: uuid.UUID
    email: str | None
    activated: bool
    identite: dict[str, Any] | None
