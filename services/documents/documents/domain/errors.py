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
    """An uploaded file that is not a PDF the candidate can open (`reason`: empty,
    executable, not-a-pdf, truncated, encrypted, unreadable, no-pages)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class UploadTooLarge(DocumentsError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"The file is larger than {limit} bytes")
        self.limit = limit


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
