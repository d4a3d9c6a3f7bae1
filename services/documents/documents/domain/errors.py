"""What can go wrong in the documents service, as plain exceptions (no HTTP here):
`entrypoints/problems.py` turns them into answers."""

from __future__ import annotations

import uuid


class DocumentsError(Exception):
    """Base of the service's own errors."""


class CandidatureNotFound(DocumentsError):
    """Unknown, or another candidate's: the same answer, so ids cannot be probed."""

    def __init__(self, candidature_id: uuid.UUID) -> None:
        super().__init__(f"Candidature {candidature_id}")
        self.candidature_id = candidature_id


class DocumentNotFound(DocumentsError):
    """Unknown, withdrawn, or another candidate's."""

    def __init__(self, document_id: uuid.UUID) -> None:
        super().__init__(f"Document {document_id}")
        self.document_id = document_id


# --- documents published by gestionnaires -------------------------------------------------------


class PdfRefused(DocumentsError):
    """An upload (a gestionnaire's document, a formulaire) that is not a PDF a candidate can
    open: `code` is `shared.content`'s (empty, executable, unsupported-format, truncated,
    trailing-data, encrypted, unreadable, no-pages, too-many-pages), `detail` says why."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class TemplateRefused(DocumentsError):
    """A template's variable parts that do not fit the candidature (an épreuve it does not
    have, a convocation to no épreuve it is registered for)."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field
        self.detail = detail


class BatchNotFound(DocumentsError):
    def __init__(self, batch_id: uuid.UUID) -> None:
        super().__init__(f"Batch {batch_id}")
        self.batch_id = batch_id


class WithdrawalRefused(DocumentsError):
    """A confirmation d'inscription (withdrawn only with its candidature), or a document
    already withdrawn."""

    def __init__(self, document_id: uuid.UUID, detail: str) -> None:
        super().__init__(detail)
        self.document_id = document_id
        self.detail = detail


class VerificationNotFound(DocumentsError):
    """No document has this verification code (unknown, malformed, or purged): one answer."""

    def __init__(self, code: str) -> None:
        super().__init__("Verification code")
        self.code = code


class RenderJobNotFound(DocumentsError):
    def __init__(self, job_id: int) -> None:
        super().__init__(f"Render job {job_id}")
        self.job_id = job_id


class RenderJobNotFailed(DocumentsError):
    """Only a failed job is retried by hand (a pending one is retried by the worker)."""

    def __init__(self, job_id: int, status: str) -> None:
        super().__init__(f"Render job {job_id} is {status}")
        self.job_id = job_id
        self.status = status


class FormulaireNotFound(DocumentsError):
    def __init__(self, formulaire_id: uuid.UUID) -> None:
        super().__init__(f"Formulaire {formulaire_id}")
        self.formulaire_id = formulaire_id
