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
