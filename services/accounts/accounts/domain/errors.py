"""What can go wrong in the accounts service, beyond validation: plain exceptions carrying what
the answer needs; `entrypoints/problems.py` turns them into problem+json."""

from __future__ import annotations

from datetime import timedelta

from shared.auth import Principal


class AccountsError(Exception):
    """The base of every error the accounts service answers with."""


class InvalidLink(AccountsError):
    """Already used, replaced by a newer one, or expired and its account erased."""


class LinkExpired(AccountsError):
    def __init__(self, lifetime: timedelta) -> None:
        super().__init__(f"The link expired after {lifetime}")
        self.lifetime = lifetime


class InvalidCredentials(AccountsError):
    """The email or the password is wrong (never which)."""


class NotActivated(AccountsError):
    """The right password for an account still pending."""


class Throttled(AccountsError):
    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(f"Too many failed attempts: retry after {retry_after}")
        self.retry_after = retry_after


class InvalidRefreshToken(AccountsError):
    """Unknown, already used, revoked or expired."""


class WrongPassword(AccountsError):
    """The current password, asked again before a sensitive change, is not right."""

    def __init__(self, field: str) -> None:
        super().__init__("The current password is not right")
        self.field = field


class IdentityLocked(AccountsError):
    """A candidature exists: only a gestionnaire corrects the identity now."""


class EmailTaken(AccountsError):
    def __init__(self) -> None:
        super().__init__("Another account uses this email address")


class NotFound(AccountsError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class OutOfScope(AccountsError):
    """A gestionnaire acting on a candidate outside their académies."""

    def __init__(self, principal: Principal, detail: str) -> None:
        super().__init__(detail)
        self.principal = principal
        self.detail = detail
