"""The one place the service's errors become problem+json answers."""

from __future__ import annotations

from documents.domain.errors import CandidatureNotFound, DocumentNotFound
from shared.http.api import ProblemMap
from shared.http.problems import ProblemError, not_found


def _candidature(error: CandidatureNotFound) -> ProblemError:
    return not_found(f"Candidature {error.candidature_id}")


def _document(error: DocumentNotFound) -> ProblemError:
    return not_found(f"Document {error.document_id}")


PROBLEMS: ProblemMap = {CandidatureNotFound: _candidature, DocumentNotFound: _document}
