"""The one place the registration service turns its refusals into problem+json."""

from __future__ import annotations

from registration.domain.errors import (
    FenetreOverlaps,
    FenetreRefused,
    ImportRefused,
    Issue,
    NotFound,
)
from shared.http.api import ProblemMap
from shared.http.problems import FieldError, ProblemError, conflict, not_found


def _field_errors(issues: list[Issue]) -> list[FieldError]:
    return [FieldError(field=i.field, message=i.message, code=i.code) for i in issues]


def import_refused(exc: ImportRefused) -> ProblemError:
    detail = f"{len(exc.issues)} problem(s); nothing was changed"
    return ProblemError(
        422, "import-refused", "The import is refused", detail, _field_errors(exc.issues)
    )


def window_refused(exc: FenetreRefused) -> ProblemError:
    detail = f"{len(exc.issues)} problem(s)"
    return ProblemError(
        422, "window-refused", "The window is refused", detail, _field_errors(exc.issues)
    )


def window_overlaps(exc: FenetreOverlaps) -> ProblemError:
    others = ", ".join(f"#{other}" for other in exc.others) or "another window"
    return conflict(
        "window-overlap", f"The window overlaps {others} of the same examen, session and académie"
    )


def missing(exc: NotFound) -> ProblemError:
    return not_found(exc.what)


PROBLEMS: ProblemMap = {
    ImportRefused: import_refused,
    FenetreRefused: window_refused,
    FenetreOverlaps: window_overlaps,
    NotFound: missing,
}
