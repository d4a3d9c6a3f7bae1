"""A pièce's status, set by a gestionnaire (guide, chapter 10: four cases): none (deposited,
not checked yet) → Reçue (with a reception date) → Conforme, or Non conforme (with a comment).
A non-conforme pièce unlocks: the candidate deposits again (the status goes back to none) and
must declare the group provided again. Pure rules."""

from __future__ import annotations

from enum import StrEnum

from uploads.domain.errors import StatusRefused


class Status(StrEnum):
    RECUE = "recue"
    CONFORME = "conforme"
    NON_CONFORME = "non_conforme"


def check_status(new: Status, *, has_file: bool, comment: str | None) -> None:
    """A conforme pièce has a file to be conforme; a non-conforme one says why."""
    if new is Status.CONFORME and not has_file:
        raise StatusRefused("a pièce without a file cannot be conforme")
    if new is Status.NON_CONFORME and not (comment and comment.strip()):
        raise StatusRefused("a non-conforme pièce needs a comment for the candidate")


def unlocks(new: Status) -> bool:
    """Whether the status gives the pièce back to the candidate (validation cleared)."""
    return new is Status.NON_CONFORME
