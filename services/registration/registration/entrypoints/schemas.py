"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import asyncpg
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    RootModel,
    TypeAdapter,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from registration.domain.decisions import REASON_MAX, Mesure, check_reason
from registration.domain.fenetres import Periode, is_open, to_local, to_utc
from registration.domain.imports import ImportBatch, ItemUnion
from registration.domain.recherche import DEFAULT_LIMIT, MAX_LIMIT
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
from shared.events.catalogue import Identite, Recapitulatif
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


# --- the candidature ---------------------------------------------------------------------------


class NouvelleCandidature(Request):
    """M'inscrire: the examen, the session and the académie of residence."""

    examen: Code
    session: Annee
    academie: Code


class Desinscription(Request):
    """The explicit confirmation the guide's pop-up asks for (chapter 11)."""

    confirmation: Literal[True]


class Probleme(BaseModel):
    """One problem of a tab, as a 422 lists it."""

    field: str
    message: str
    code: str


class EtatOnglet(BaseModel):
    onglet: str
    complet: bool
    problemes: list[Probleme]


class OngletView(BaseModel):
    """One tab: what was saved (`donnees`, None when never saved), whether it is complete now
    and its problems; Identification also shows the projected identity, read-only."""

    candidature_id: uuid.UUID
    onglet: str
    donnees: dict[str, Any] | None
    complet: bool
    problemes: list[Probleme]
    identite: Identite | None = None
    modifiable: bool = True


class VersionInfo(BaseModel):
    version: int
    saved_at: datetime
    closes_at: datetime


class Fermeture(BaseModel):
    """The instant the window closes, in the académie's zone and in UTC."""

    fuseau_horaire: str
    fermeture_locale: datetime
    fermeture_utc: datetime


class CandidatureView(BaseModel):
    """A candidature: its state, its tabs (complete or not, the next one to fill), its numbers
    and versions; the current version's récapitulatif once saved (consultation)."""

    id: uuid.UUID
    statut: str
    examen: str
    session: int
    academie: str
    version: int
    numero_candidat: str | None
    numero_inscription: str | None
    onglets: list[EtatOnglet]
    prochain_onglet: str
    enregistrable: bool
    versions: list[VersionInfo]
    recapitulatif: Recapitulatif | None = None
    # The current version's, when a working copy changed since (Modifier).
    modifications_en_cours: bool = False


class RecapitulatifView(BaseModel):
    """The Récapitulatif tab: everything above, computed, nothing saved. `epreuves` in the
    guide's order; `problemes` lists what still stops Enregistrer."""

    candidature_id: uuid.UUID
    recapitulatif: Recapitulatif | None
    problemes: list[Probleme]
    service_gestionnaire: Coordonnees | None


class NumeroInscription(BaseModel):
    """The N° Inscription tab (guide 5.8), the answer of Enregistrer."""

    candidature_id: uuid.UUID
    version: int
    numero_candidat: str
    numero_inscription: str
    saved_at: datetime
    fermeture: Fermeture
    documents: list[str]
    service_gestionnaire: Coordonnees | None


class MaCandidature(BaseModel):
    """One line of Mes inscriptions."""

    id: uuid.UUID
    examen: str
    session: int
    academie: str
    specialite: str | None
    version: int
    numero_candidat: str | None
    numero_inscription: str | None
    saved_at: datetime
    fermeture: Fermeture


class VersionView(BaseModel):
    candidature_id: uuid.UUID
    version: int
    saved_at: datetime
    closes_at: datetime
    recapitulatif: Recapitulatif


# --- Back office: search, export, counts (issue 12) --------------------------------------------

Texte = Annotated[str, Field(min_length=1, max_length=100)]


class FiltresCandidatures(Request):
    """The search's filters, shared by the export. `nom` is a prefix of `nom prénoms`, without
    regard to accents or case; `%`, `_`, `\\` and quotes are taken literally."""

    examen: Code | None = None
    session: Annee | None = None
    academie: Code | None = None
    numero_candidat: Texte | None = None
    numero_inscription: Texte | None = None
    nom: Texte | None = None
    specialite: Code | None = None
    categorie: Code | None = None
    etablissement: Code | None = None
    statut: Literal["active", "withdrawn", "rejected"] | None = None
    fenetre: Literal["ouverte", "fermee"] | None = None


class RechercheQuery(FiltresCandidatures):
    """A page: `limit` candidatures (50 by default, 500 at most) after `cursor`, the
    `next_cursor` of the previous page (opaque, signed, bound to the same filters)."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: Annotated[str, Field(max_length=1000)] | None = None


class ExportQuery(FiltresCandidatures):
    """`sante=true` adds the health columns (handicap, aménagement), an audited read."""

    sante: bool = False


class CandidatureTrouvee(BaseModel):
    id: uuid.UUID
    examen: str
    session: int
    academie: str
    statut: str
    version: int
    numero_candidat: str | None
    numero_inscription: str | None
    nom: str | None
    prenoms: str | None
    specialite: str | None
    categorie: str | None
    etablissement: str | None
    updated_at: datetime


class PageCandidatures(BaseModel):
    items: list[CandidatureTrouvee]
    next_cursor: str | None


class ComptesQuery(Request):
    """Without `academie`: a gestionnaire's académies together; an administrateur's national
    totals."""

    examen: Code
    session: Annee
    academie: Code | None = None


class Compte(BaseModel):
    code: str | None
    nombre: int


class Comptes(BaseModel):
    examen: str
    session: int
    academies: list[str] | None
    total: int
    par_statut: list[Compte]
    par_specialite: list[Compte]
    par_categorie: list[Compte]
    par_etablissement: list[Compte]


# --- the back office: detail, decisions, audit, switches (issue 12) -----------------------------

Reason = Annotated[str, Field(min_length=1, max_length=REASON_MAX), AfterValidator(check_reason)]


class DecisionBody(BaseModel):
    """Écarter or désinscrire: the reason is mandatory (shown to the candidate)."""

    model_config = ConfigDict(extra="forbid")
    reason: Reason


class AmenagementBody(BaseModel):
    """The aménagement granted: standard measures and free text (health data)."""

    model_config = ConfigDict(extra="forbid")
    reason: Reason
    mesures: list[Mesure] = Field(max_length=len(Mesure))
    texte: Reason | None = None


class AmenagementView(BaseModel):
    mesures: list[str]
    texte: str | None


class AmenagementAccorde(BaseModel):
    """The latest aménagement decision as its candidate reads it."""

    mesures: list[str]
    texte: str | None
    reason: str
    decided_at: datetime


class MonAmenagementView(BaseModel):
    """The candidate's own read: the aménagement granted, or null before any decision."""

    candidature_id: uuid.UUID
    amenagement: AmenagementAccorde | None


class DecisionView(BaseModel):
    id: int
    kind: str
    reason: str
    version: int
    decided_by: uuid.UUID
    decided_role: str
    decided_at: datetime
    amenagement: AmenagementView | None = None


class SanteView(BaseModel):
    handicap: bool
    amenagement: bool


class VersionEntry(BaseModel):
    """One saved version: who saved it (the candidate signs each one) and when."""

    version: int
    saved_at: datetime
    saved_by: uuid.UUID
    closes_at: datetime
    sante: SanteView | None
    # None once the retention anonymised the candidature (its identity is gone).
    recapitulatif: Recapitulatif | None


class PiecesFourniesView(BaseModel):
    groupe_id: uuid.UUID
    groupe_libelle: str
    pieces: int
    fournies_at: datetime


class PieceStatutView(BaseModel):
    piece_id: uuid.UUID
    statut: str
    commentaire: str | None
    changed_at: datetime


class AdminCandidatureView(BaseModel):
    id: uuid.UUID
    account_id: uuid.UUID
    statut: Literal["brouillon", "active", "desinscrite", "ecartee"]
    examen: str
    session: int
    academie: str
    version: int
    numero_candidat: str | None
    numero_inscription: str | None
    created_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None
    ecartee_at: datetime | None
    saisie: dict[str, Any]
    sante: SanteView | None
    versions: list[VersionEntry]
    decisions: list[DecisionView]
    # The groups of pièces the candidate declared provided (the uploads service's events).
    pieces_fournies: list[PiecesFourniesView] = []
    # Each pièce's latest status set by a gestionnaire (none yet: not listed).
    pieces_statuts: list[PieceStatutView] = []


class DiffQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: int = Field(alias="from", ge=1, le=1_000_000)
    to: int = Field(ge=1, le=1_000_000)


class OngletChange(BaseModel):
    onglet: str
    champs: list[str]


class DiffView(BaseModel):
    candidature_id: uuid.UUID
    from_version: int
    to_version: int
    onglets: list[OngletChange]


class AuditQuery(BaseModel):
    """Filters of the audit log; `after` is the `next` of the previous page (keyset)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    actor: uuid.UUID | None = None
    action: str | None = Field(default=None, max_length=100)
    target: str | None = Field(default=None, max_length=200)
    academie: str | None = Field(default=None, max_length=20)
    from_: IsoInstant | None = Field(default=None, alias="from")
    to: IsoInstant | None = None
    after: int | None = Field(default=None, ge=1, le=2**63 - 1)
    limit: int = Field(default=50, ge=1, le=500)


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor: uuid.UUID
    role: str
    academies: list[str]
    action: str
    target: str
    academie: str | None
    correlation_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next: int | None


class ProlongationBody(BaseModel):
    """Extend the current window of one académie, or of every académie of an examen +
    session, by `minutes` (at most 31 days)."""

    model_config = ConfigDict(extra="forbid")
    examen: Code
    session: Annee
    academie: Code | None = None
    minutes: int = Field(ge=1, le=31 * 24 * 60)


class ProlongationView(BaseModel):
    fenetres: list[Ouverture]


class ReadOnlyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool
    reason: Reason | None = None


class ReadOnlyView(BaseModel):
    enabled: bool
    reason: str | None
    changed_at: datetime | None
