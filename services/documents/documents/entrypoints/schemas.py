"""Every HTTP response model of the documents service (it takes no request body yet)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.events.catalogue import DocumentKind


class View(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class MaCandidature(View):
    """A candidature of the candidate's that has documents (Mes documents)."""

    candidature_id: uuid.UUID
    examen: str
    session: int
    academie: str
    specialite_libelle: str
    numero_candidat: str
    numero_inscription: str
    latest_version: int
    # Its documents stay downloadable; the candidature is marked so.
    withdrawn_at: datetime | None
    rejected_at: datetime | None
    last_published_at: datetime
    documents: int


class DocumentView(View):
    id: uuid.UUID
    kind: DocumentKind
    title: str
    version: int | None
    size: int
    published_at: datetime
