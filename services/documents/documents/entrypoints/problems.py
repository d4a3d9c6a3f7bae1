"""The one place the service's errors become problem+json answers."""

from __future__ import annotations

from documents.domain.errors import (
    BatchNotFound,
    CandidatureNotFound,
    DocumentNotFound,
    FormulaireNotFound,
    PdfRefused,
    RenderJobNotFailed,
    RenderJobNotFound,
    TemplateRefused,
    VerificationNotFound,
    WithdrawalRefused,
)
from shared.http.api import ProblemMap
from shared.http.problems import FieldError, ProblemError, conflict, not_found


def _candidature(error: CandidatureNotFound) -> ProblemError:
    return not_found(f"Candidature {error.candidature_id}")


def _document(error: DocumentNotFound) -> ProblemError:
    return not_found(f"Document {error.document_id}")


def _pdf_refused(error: PdfRefused) -> ProblemError:
    field = FieldError(field="body", message=error.detail, code=error.code)
    return ProblemError(422, "pdf-refused", "Not an acceptable PDF", error.detail, errors=[field])


def _template_refused(error: TemplateRefused) -> ProblemError:
    field = FieldError(field=f"document.{error.field}", message=error.detail, code="template")
    return ProblemError(
        422, "validation-error", "The request is not valid", error.detail, errors=[field]
    )


def _verification(error: VerificationNotFound) -> ProblemError:
    return not_found("A document with this verification code")


def _render_job(error: RenderJobNotFound) -> ProblemError:
    return not_found(f"Render job {error.job_id}")


def _render_job_not_failed(error: RenderJobNotFailed) -> ProblemError:
    return conflict("render-job-not-failed", f"Render job {error.job_id} is {error.status}")


def _formulaire(error: FormulaireNotFound) -> ProblemError:
    return not_found(f"Formulaire {error.formulaire_id}")


PROBLEMS: ProblemMap = {
    CandidatureNotFound: _candidature,
    DocumentNotFound: _document,
    BatchNotFound: lambda error: not_found(f"Batch {error.batch_id}"),
    PdfRefused: _pdf_refused,
    TemplateRefused: _template_refused,
    WithdrawalRefused: lambda error: conflict("not-withdrawable", error.detail),
    VerificationNotFound: _verification,
    RenderJobNotFound: _render_job,
    RenderJobNotFailed: _render_job_not_failed,
    FormulaireNotFound: _formulaire,
}
