"""The one place the registration service turns its refusals into problem+json."""

from __future__ import annotations

from registration.domain.errors import (
    AccountNotActivated,
    CandidatureExists,
    CandidatureIncomplete,
    CandidatureState,
    DecisionRefused,
    FenetreOverlaps,
    FenetreRefused,
    IdentityMissing,
    ImportRefused,
    InvalidCursor,
    Issue,
    NotFound,
    ProlongationRefused,
    TabRefused,
    UnknownReference,
    VersionMismatch,
    WindowClosed,
)
from registration.domain.fenetres import to_local
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


def window_closed(exc: WindowClosed) -> ProblemError:
    if exc.ouverture is None or exc.fermeture is None or exc.fuseau_horaire is None:
        detail = "No registration window for this examen, session and académie"
    else:
        zone = exc.fuseau_horaire
        detail = (
            f"Registration is open from {to_local(exc.ouverture, zone).isoformat()} to "
            f"{to_local(exc.fermeture, zone).isoformat()} ({zone}; UTC "
            f"{exc.ouverture.isoformat()} to {exc.fermeture.isoformat()})"
        )
    return conflict("window-closed", detail)


def candidature_exists(exc: CandidatureExists) -> ProblemError:
    detail = f"You already have a candidature for this examen and session: {exc.candidature_id}"
    return conflict("candidature-exists", detail)


def identity_missing(exc: IdentityMissing) -> ProblemError:
    detail = "Your identity has not reached the registration service yet: try again shortly"
    return conflict("identity-missing", detail)


def not_activated(exc: AccountNotActivated) -> ProblemError:
    detail = "Activate your account (the link sent by email) before registering"
    return ProblemError(403, "account-not-activated", "Account not activated", detail)


def unknown_reference(exc: UnknownReference) -> ProblemError:
    detail = f"{len(exc.issues)} problem(s)"
    return ProblemError(
        422,
        "unknown-reference",
        "Unknown examen, session or académie",
        detail,
        _field_errors(exc.issues),
    )


def tab_refused(exc: TabRefused) -> ProblemError:
    detail = f"{len(exc.issues)} problem(s); nothing was saved"
    return ProblemError(422, "tab-refused", "The tab is refused", detail, _field_errors(exc.issues))


def incomplete(exc: CandidatureIncomplete) -> ProblemError:
    detail = f"{len(exc.issues)} problem(s); the candidature is not saved"
    return ProblemError(
        422,
        "candidature-incomplete",
        "The candidature is incomplete",
        detail,
        _field_errors(exc.issues),
    )


def version_mismatch(exc: VersionMismatch) -> ProblemError:
    detail = f"Version {exc.current} is current, not {exc.expected}: read it again"
    return ProblemError(412, "version-mismatch", "Precondition failed", detail)


def state(exc: CandidatureState) -> ProblemError:
    return conflict(exc.slug, exc.detail)


def invalid_cursor(exc: InvalidCursor) -> ProblemError:
    return ProblemError(400, "invalid-cursor", "Invalid cursor", str(exc))


PROBLEMS: ProblemMap = {
    WindowClosed: window_closed,
    CandidatureExists: candidature_exists,
    IdentityMissing: identity_missing,
    AccountNotActivated: not_activated,
    UnknownReference: unknown_reference,
    TabRefused: tab_refused,
    CandidatureIncomplete: incomplete,
    VersionMismatch: version_mismatch,
    CandidatureState: state,
    ImportRefused: import_refused,
    FenetreRefused: window_refused,
    FenetreOverlaps: window_overlaps,
    NotFound: missing,
    InvalidCursor: invalid_cursor,
    DecisionRefused: lambda exc: conflict(exc.slug, exc.detail),
    ProlongationRefused: lambda exc: ProblemError(
        422, "prolongation-refused", "The prolongation is refused", exc.detail
    ),
}
