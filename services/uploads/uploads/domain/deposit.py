"""When a pièce takes a file: during the deposit period only (until its group's date limite,
that instant included), while the candidature is open, the pièce needed, and not locked.
Pure rules."""

from __future__ import annotations

import uuid
from datetime import datetime

from uploads.domain.errors import CandidatureClosed, DeadlinePassed, PieceLocked
from uploads.domain.statuses import Status


def is_locked(validated_at: datetime | None, status: str | None) -> bool:
    """Declared provided (J'ai fourni), or already received or found conforme; a non-conforme
    status clears the declaration and so unlocks the pièce."""
    return validated_at is not None or status in (Status.RECUE, Status.CONFORME)


def check_deposit(
    *,
    candidature_id: uuid.UUID,
    closed_at: datetime | None,
    active: bool,
    validated_at: datetime | None,
    status: str | None,
    date_limite: datetime,
    now: datetime,
) -> None:
    if closed_at is not None:
        raise CandidatureClosed(candidature_id)
    if not active:
        raise PieceLocked("This pièce is no longer needed")
    if is_locked(validated_at, status):
        raise PieceLocked("This pièce was declared provided: it can no longer be changed")
    check_deadline(date_limite, now)


def check_deadline(date_limite: datetime, now: datetime) -> None:
    if now > date_limite:
        raise DeadlinePassed(date_limite)
