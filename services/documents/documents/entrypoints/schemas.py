"""Every HTTP request and response model of the documents service."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

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


# --- verification (public) ----------------------------------------------------------------

VerificationStatus = Literal[
    "valid", "superseded", "withdrawn", "candidature_withdrawn", "candidature_rejected"
]


class VerificationView(View):
    """What a document's verification code answers: the token's fields, the stored file's
    SHA-256, and whether the document still holds. No personal data beyond the initials."""

    code: str
    kind: str
    numero_candidat: str
    numero_inscription: str
    version: int
    date: date
    initials: str
    # Of the stored PDF: compare with the SHA-256 of a digital copy.
    sha256: str
    # What the QR token carries: of the content the document was rendered from.
    content_sha256: str
    kid: str
    status: VerificationStatus
    valid: bool


class Jwk(BaseModel):
    model_config = ConfigDict(extra="allow")

    kty: str
    crv: str
    x: str
    kid: str
    alg: str | None = None
    use: str | None = None


class Jwks(BaseModel):
    keys: list[Jwk]


# --- render jobs (administrateur) ---------------------------------------------------------


class RenderJobView(View):
    id: int
    candidature_id: uuid.UUID
    version: int
    event_type: str
    attempts: int
    render_failures: int
    last_error: str | None
    created_at: datetime
    failed_at: datetime | None


# --- formulaires --------------------------------------------------------------------------

ExamenCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9_-]{0,31}$")]


class FormulairesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    examen: ExamenCode


class NewFormulaire(BaseModel):
    """The query of an upload (its body is the PDF itself)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    examen: ExamenCode
    titre: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class FormulaireView(View):
    id: uuid.UUID
    examen: str
    title: str
    size: int
    pages: int
    sha256: str
    added_at: datetime
