"""The registration service's refusals: plain exceptions carrying what the answer needs.
`entrypoints/problems.py` turns them into problem+json; the seed command prints them."""

from __future__ import annotations

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
