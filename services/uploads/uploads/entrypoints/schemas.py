"""Every HTTP request and response model of the uploads service."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.types import Instant
from uploads.domain.rules import Condition
from uploads.domain.statuses import Status

Text = Annotated[str, Field(min_length=1, max_length=300)]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
Comment = Annotated[str, Field(max_length=2000)]
MediaType = Literal["application/pdf", "image/jpeg", "image/png"]
MAX_FILE_BYTES = 100 * 1024 * 1024


class View(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- Mes justificatifs (candidat) -------------------------------------------------------------


class FileView(View):
    id: uuid.UUID
    name: str
    media_type: str
    size: int
    sha256: str
    deposited_at: datetime
    # The history (back office): when and by which file it was replaced, or deleted.
    replaced_at: datetime | None = None
    replaced_by: uuid.UUID | None = None
    deleted_at: datetime | None = None


class PieceView(View):
    id: uuid.UUID
    code: str
    libelle: str
    formats: list[str]
    max_bytes: int
    # False: no longer needed after a modification (its files are kept).
    active: bool
    # None (not checked yet), recue, conforme or non_conforme.
    status: Status | None
    status_comment: str | None
    received_at: datetime | None
    status_changed_at: datetime | None
    # The candidate's "J'ai fourni toutes mes pièces"; the pièce is locked while it is set.
    validated_at: datetime | None
    deposited_at: datetime | None
    locked: bool
    files: list[FileView]


class GroupeView(View):
    id: uuid.UUID
    code: str
    libelle: str
    date_limite: datetime
    # The same instant in the académie's time (ISO 8601 with its offset) and the zone's name.
    date_limite_locale: str
    fuseau_horaire: str
    depot_ouvert: bool
    pieces: list[PieceView]


class MesPieces(View):
    candidature_id: uuid.UUID
    numero_inscription: str
    academie: str
    # Withdrawn or rejected: nothing can change any more.
    closed: bool
    groupes: list[GroupeView]


# --- back office -------------------------------------------------------------------------------


class StatusChange(Command):
    status: Status
    comment: Comment | None = None
    # Reçue: the date the pièce was received (now when not given).
    received_at: Instant | None = None


class BulkItem(StatusChange):
    piece_id: uuid.UUID


class BulkStatusChange(Command):
    items: Annotated[list[BulkItem], Field(min_length=1, max_length=500)]


class Demande(Command):
    """One more pièce asked of one candidature."""

    libelle: Text
    groupe_libelle: Text = "Pièces demandées par le gestionnaire"
    # 15 days from now when not given.
    date_limite: Instant | None = None
    formats: Annotated[list[MediaType], Field(min_length=1, max_length=3)] = [
        "application/pdf",
        "image/jpeg",
        "image/png",
    ]
    max_bytes: Annotated[int, Field(ge=1, le=MAX_FILE_BYTES)] = 10 * 1024 * 1024


class StatusChanged(View):
    piece_id: uuid.UUID
    status: Status
    changed: bool


class BulkResult(View):
    items: list[StatusChanged]


class AttenteQuery(Command):
    academie: Annotated[str, Field(max_length=20)] | None = None
    specialite: Annotated[str, Field(max_length=40)] | None = None
    declared_from: Instant | None = None
    declared_to: Instant | None = None
    # a_controler: a declared pièce is not checked yet (default); non_conforme: one is;
    # conforme: all are; tous: any state.
    status: Annotated[str, Field(pattern="^(a_controler|non_conforme|conforme|tous)$")] = (
        "a_controler"
    )
    limit: Annotated[int, Field(ge=1, le=500)] = 50
    cursor: Annotated[str, Field(max_length=500)] | None = None


class GroupeDeclare(View):
    candidature_id: uuid.UUID
    groupe_id: uuid.UUID
    groupe_libelle: str
    academie: str
    specialite_code: str
    specialite_libelle: str
    numero_inscription: str
    nom: str
    prenoms: str
    declared_at: datetime
    date_limite: datetime
    pieces: int
    a_controler: int
    non_conformes: int
    conformes: int


class PageAttente(View):
    items: list[GroupeDeclare]
    next_cursor: str | None


class DateLimite(Command):
    examen: Code
    session: Annotated[int, Field(ge=2000, le=2100)]
    academie: Annotated[str, Field(min_length=1, max_length=20)]
    groupe: Code
    date_limite: Instant


class GroupeAdmin(View):
    id: uuid.UUID
    examen: str
    session: int
    academie: str
    code: str
    libelle: str
    fuseau_horaire: str
    date_limite: datetime
    date_limite_locale: str
    date_limite_set_by: uuid.UUID | None


class GroupesQuery(Command):
    examen: Code
    session: Annotated[int, Field(ge=2000, le=2100)]
    academie: Annotated[str, Field(max_length=20)] | None = None


# --- rules (administrateur) -------------------------------------------------------------------


class RuleFields(Command):
    libelle: Text
    condition: Condition
    categories: Annotated[list[Code], Field(max_length=50)] = []
    groupe: Code
    groupe_libelle: Text
    formats: Annotated[list[MediaType], Field(min_length=1, max_length=3)] = [
        "application/pdf",
        "image/jpeg",
        "image/png",
    ]
    max_bytes: Annotated[int, Field(ge=1, le=MAX_FILE_BYTES)] = 10 * 1024 * 1024
    active: bool = True


class NewRule(RuleFields):
    examen: Code
    code: Code


class RuleChange(Command):
    libelle: Text | None = None
    condition: Condition | None = None
    categories: Annotated[list[Code], Field(max_length=50)] | None = None
    groupe: Code | None = None
    groupe_libelle: Text | None = None
    formats: Annotated[list[MediaType], Field(min_length=1, max_length=3)] | None = None
    max_bytes: Annotated[int, Field(ge=1, le=MAX_FILE_BYTES)] | None = None
    active: bool | None = None


class RulesQuery(Command):
    examen: Code | None = None


class RuleView(View):
    id: int
    examen: str
    code: str
    libelle: str
    condition: Condition
    categories: list[str]
    groupe: str
    groupe_libelle: str
    formats: list[str]
    max_bytes: int
    active: bool
    updated_at: datetime
