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


class InvalidPdf(DocumentsError):
    """An upload that is not an acceptable PDF; `reason` is safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
