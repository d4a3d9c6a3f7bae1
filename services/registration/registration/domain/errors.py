"""The registration service's refusals: plain exceptions carrying what the answer needs.
`entrypoints/problems.py` turns them into problem+json; the seed command prints them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import NamedTuple


class Issue(NamedTuple):
    """One problem of a request, named by where it is (`specialites[1].nature`, `line 5`)."""

    field: str
    message: str
    code: str


class RegistrationError(Exception):
    """Base of every refusal of the service."""


class ImportRefused(RegistrationError):
    """A référentiel change refused whole: every problem is listed, nothing was written."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} problem(s)")
        self.issues = issues


class FenetreRefused(RegistrationError):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} problem(s)")
        self.issues = issues


class FenetreOverlaps(RegistrationError):
    """`others` may be empty: the exclusion constraint caught a window written meanwhile."""

    def __init__(self, others: list[int]) -> None:
        super().__init__(f"overlaps window(s) {others}")
        self.others = others


class NotFound(RegistrationError):
    """`what` names the missing thing for the answer ("Window 12", "Spécialité BTS 2027 X")."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class FenetreNotFound(NotFound):
    def __init__(self, fenetre_id: int) -> None:
        super().__init__(f"Window {fenetre_id}")
        self.fenetre_id = fenetre_id


# --- the candidature ---------------------------------------------------------------------------


class CandidatureNotFound(NotFound):
    """Unknown, or someone else's: the same answer, so ids of others are not revealed."""

    def __init__(self, candidature_id: object) -> None:
        super().__init__(f"Candidature {candidature_id}")


class WindowClosed(RegistrationError):
    """No window of (examen, session, académie) is open at `at`; `ouverture`/`fermeture` are
    the nearest window's (the last one closed, or the next one), None when there is none."""

    def __init__(
        self,
        at: datetime,
        ouverture: datetime | None,
        fermeture: datetime | None,
        fuseau_horaire: str | None,
    ) -> None:
        super().__init__("the registration window is closed")
        self.at = at
        self.ouverture = ouverture
        self.fermeture = fermeture
        self.fuseau_horaire = fuseau_horaire


class CandidatureExists(RegistrationError):
    def __init__(self, candidature_id: uuid.UUID) -> None:
        super().__init__(f"candidature {candidature_id} exists")
        self.candidature_id = candidature_id


class IdentityMissing(RegistrationError):
    """The account's identity has not reached the projection (yet)."""


class AccountNotActivated(RegistrationError):
    pass


class UnknownReference(RegistrationError):
    """M'inscrire names an examen, session or académie the référentiel does not have."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} problem(s)")
        self.issues = issues


class TabRefused(RegistrationError):
    """A tab's input is refused: every problem is listed, nothing was written."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} problem(s)")
        self.issues = issues


class CandidatureIncomplete(RegistrationError):
    """Enregistrer with tabs incomplete or wrong: every problem, fields named `<tab>.<field>`."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} problem(s)")
        self.issues = issues


class VersionMismatch(RegistrationError):
    """`If-Match` names another version than the current one (a concurrent save won)."""

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(f"version {expected} expected, {current} is current")
        self.expected = expected
        self.current = current


class CandidatureState(RegistrationError):
    """The candidature is not in a state that allows this (withdrawn; identity locked…)."""

    def __init__(self, slug: str, detail: str) -> None:
        super().__init__(detail)
        self.slug = slug
        self.detail = detail


class InvalidCursor(RegistrationError):
    """A search cursor that was altered, or issued for other filters (400)."""


# --- the back office ----------------------------------------------------------------------------


class DecisionRefused(RegistrationError):
    """The candidature is not in a state this decision applies to (a draft, withdrawn,
    rejected, a window still open for a désinscription)."""

    def __init__(self, slug: str, detail: str) -> None:
        super().__init__(detail)
        self.slug = slug
        self.detail = detail


class ProlongationRefused(RegistrationError):
    """No window to extend for the examen, session (and académie) named."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
