"""Request and response models of the gestionnaire's document routes (`gestion.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from documents.domain.templates import BatchTemplate, Template
from documents.entrypoints.schemas import View
from shared.events.catalogue import DocumentKind


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
# A confirmation d'inscription is the service's own: never uploaded.
PublishableKind = Literal[
    "demande_pieces",
    "relance_pieces",
    "notification_amenagement",
    "convocation",
    "releve_de_notes",
    "autre",
]


class UploadQuery(_Request):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: PublishableKind = "autre"


class NewGeneration(_Request):
    """One document from a template for one candidature."""

    document: Template


class BatchFilter(_Request):
    """Every active candidature of the académie, narrowed by what is given."""

    academie: Short
    examen: Short | None = None
    session: int | None = Field(default=None, ge=2000, le=2100)
    specialite: Short | None = Field(default=None, description="code of the spécialité")
    etablissement: Short | None = Field(
        default=None, description="code (or libellé) of the établissement d'inscription"
    )


class NewBatch(_Request):
    filter: BatchFilter
    document: BatchTemplate


class NewWithdrawal(_Request):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=1000)]


class StaffDocumentView(View):
    """A candidature's document as staff see it, withdrawn or not, with who published it
    (`source` is null for the service's own confirmations)."""

    id: uuid.UUID
    candidature_id: uuid.UUID
    kind: DocumentKind
    title: str
    version: int | None
    size: int
    sha256: str
    published_at: datetime
    source: Literal["upload", "template"] | None
    batch_id: uuid.UUID | None
    published_by: uuid.UUID | None
    withdrawn_at: datetime | None
    withdrawn_by: uuid.UUID | None
    withdrawal_reason: str | None


class BatchItemView(View):
    candidature_id: uuid.UUID
    numero_inscription: str
    status: Literal["pending", "done", "failed"]
    attempts: int
    document_id: uuid.UUID | None
    error: str | None
    done_at: datetime | None


class BatchesQuery(_Request):
    academie: Short | None = None
    limit: int = Field(default=50, ge=1, le=200)


class BatchSummary(View):
    id: uuid.UUID
    academie: str
    template: str
    kind: DocumentKind
    title: str
    single: bool
    filter: dict[str, Any]
    total: int
    done: int
    failed: int
    pending: int
    finished: bool
    created_by: uuid.UUID
    created_at: datetime


class BatchView(BatchSummary):
    """A batch and its result per candidature."""

    items: list[BatchItemView]
