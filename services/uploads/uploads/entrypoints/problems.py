"""The one place the service's errors become problem+json answers."""

from __future__ import annotations

from shared.http.api import ProblemMap
from shared.http.problems import FieldError, ProblemError, not_found
from uploads.domain import errors

RETRY_AFTER = {"Retry-After": "5"}


def _not_found(error: errors.NotFound) -> ProblemError:
    return not_found(error.what)


def _closed(error: errors.CandidatureClosed) -> ProblemError:
    return ProblemError(409, "candidature-closed", "Candidature closed", str(error))


def _deadline(error: errors.DeadlinePassed) -> ProblemError:
    return ProblemError(409, "deadline-passed", "The date limite has passed", str(error))


def _locked(error: errors.PieceLocked) -> ProblemError:
    return ProblemError(409, "piece-locked", "Pièce locked", str(error))


def _too_many(error: errors.TooManyFiles) -> ProblemError:
    return ProblemError(409, "too-many-files", "Too many files", str(error))


def _missing(error: errors.PiecesMissing) -> ProblemError:
    return ProblemError(
        422,
        "pieces-missing",
        "Pièces without a file",
        str(error),
        errors=[
            FieldError(field=libelle, message="No file deposited yet", code="missing")
            for libelle in error.libelles
        ],
    )


def _too_large(error: errors.FileTooLarge) -> ProblemError:
    return ProblemError(413, "file-too-large", "File too large", str(error))


def _refused(error: errors.FileRefused) -> ProblemError:
    return ProblemError(422, "file-refused", "File refused", error.reason)


def _infected(error: errors.FileInfected) -> ProblemError:
    return ProblemError(422, "file-infected", "File infected", str(error))


def _malformed(error: errors.MalformedUpload) -> ProblemError:
    return ProblemError(422, "malformed-upload", "Malformed upload", str(error))


def _scanner(error: errors.ScannerUnavailable) -> ProblemError:
    return ProblemError(
        503,
        "scanner-unavailable",
        "Virus scanner unavailable",
        "Files cannot be scanned right now, so none is accepted; try again shortly",
        headers=RETRY_AFTER,
    )


def _storage(error: errors.StorageUnavailable) -> ProblemError:
    return ProblemError(
        503,
        "storage-unavailable",
        "Storage unavailable",
        "The file could not be stored and nothing was recorded; try again shortly",
        headers=RETRY_AFTER,
    )


def _status(error: errors.StatusRefused) -> ProblemError:
    return ProblemError(422, "status-refused", "Status refused", str(error))


def _cursor(error: errors.InvalidCursor) -> ProblemError:
    return ProblemError(400, "invalid-cursor", "Invalid cursor", str(error))


def _rule_conflict(error: errors.RuleConflict) -> ProblemError:
    return ProblemError(409, "rule-exists", "Rule exists", str(error))


PROBLEMS: ProblemMap = {
    errors.NotFound: _not_found,
    errors.CandidatureClosed: _closed,
    errors.DeadlinePassed: _deadline,
    errors.PieceLocked: _locked,
    errors.TooManyFiles: _too_many,
    errors.PiecesMissing: _missing,
    errors.FileTooLarge: _too_large,
    errors.FileRefused: _refused,
    errors.FileInfected: _infected,
    errors.MalformedUpload: _malformed,
    errors.ScannerUnavailable: _scanner,
    errors.StorageUnavailable: _storage,
    errors.StatusRefused: _status,
    errors.InvalidCursor: _cursor,
    errors.RuleConflict: _rule_conflict,
}
