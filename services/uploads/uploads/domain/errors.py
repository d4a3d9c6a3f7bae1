"""What can go wrong in the uploads service, as plain exceptions (no HTTP here):
`entrypoints/problems.py` turns them into answers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime


class UploadsError(Exception):
    """Base of the service's own errors."""


class NotFound(UploadsError):
    """Unknown, or another candidate's (the same answer, so ids cannot be probed)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class CandidatureClosed(UploadsError):
    def __init__(self, candidature_id: uuid.UUID) -> None:
        super().__init__(f"Candidature {candidature_id} was withdrawn or rejected")


class DeadlinePassed(UploadsError):
    def __init__(self, date_limite: datetime) -> None:
        super().__init__(f"The date limite of this group passed at {date_limite.isoformat()}")
        self.date_limite = date_limite


class PieceLocked(UploadsError):
    """Declared provided (J'ai fourni) and not non-conforme, or no longer needed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)


class TooManyFiles(UploadsError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"A pièce holds at most {limit} files: replace or delete one")


class PiecesMissing(UploadsError):
    """J'ai fourni on a group with pièces that have no file."""

    def __init__(self, libelles: Sequence[str]) -> None:
        super().__init__("These pièces have no file yet: " + "; ".join(libelles))
        self.libelles = list(libelles)


class FileTooLarge(UploadsError):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"A file of this pièce is at most {max_bytes} bytes")
        self.max_bytes = max_bytes


class FileRefused(UploadsError):
    """The content is not an accepted format (decided on the bytes, never the name)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FileInfected(UploadsError):
    def __init__(self, signature: str) -> None:
        super().__init__("The file contains a virus and was not kept")
        self.signature = signature


class MalformedUpload(UploadsError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)


class ScannerUnavailable(UploadsError):
    """clamd cannot be reached or failed: nothing is accepted unscanned."""


class StorageUnavailable(UploadsError):
    """The S3 server failed: nothing was recorded."""


class StatusRefused(UploadsError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)


class InvalidCursor(UploadsError):
    def __init__(self) -> None:
        super().__init__("The cursor was altered or belongs to other filters")


class RuleConflict(UploadsError):
    def __init__(self, examen: str, code: str) -> None:
        super().__init__(f"The examen {examen} already has a rule {code}")
