"""The errors the accounts service answers with, beyond validation."""

from __future__ import annotations

from datetime import timedelta

from shared.http.problems import FieldError, ProblemError


def invalid_link() -> ProblemError:
    return ProblemError(
        400,
        "invalid-link",
        "Invalid link",
        "This link is not valid: it was already used, replaced by a newer one, or it expired "
        "and its account was erased",
    )


def expired_link(lifetime: timedelta) -> ProblemError:
    hours = int(lifetime.total_seconds() // 3600)
    return ProblemError(
        410,
        "link-expired",
        "Link expired",
        f"This link was valid for {hours} hour{'s' if hours > 1 else ''}; it expired",
    )


def bad_credentials() -> ProblemError:
    return ProblemError(
        401, "invalid-credentials", "Invalid credentials", "The email or the password is wrong"
    )


def not_activated() -> ProblemError:
    return ProblemError(
        403,
        "account-not-activated",
        "Account not activated",
        "Activate the account with the link sent by email (or ask for a new link)",
    )


def throttled(retry_after: timedelta) -> ProblemError:
    seconds = max(1, int(retry_after.total_seconds() + 0.999))
    return ProblemError(
        429,
        "too-many-attempts",
        "Too many attempts",
        f"Too many failed attempts: try again in {seconds} seconds, or reset the password",
        headers={"Retry-After": str(seconds)},
    )


def invalid_refresh_token() -> ProblemError:
    return ProblemError(
        401,
        "invalid-refresh-token",
        "Invalid refresh token",
        "The refresh token is unknown, already used, revoked or expired: log in again",
    )


def wrong_password(field: str) -> ProblemError:
    return ProblemError(
        422,
        "wrong-password",
        "Wrong password",
        "The current password is not right",
        errors=[FieldError(field=field, message="The current password is not right", code="wrong")],
    )


def identity_locked() -> ProblemError:
    return ProblemError(
        409,
        "identity-locked",
        "Identity locked",
        "A candidature exists for this account: only the email and the password can change now. "
        "To correct your identity, contact the gestionnaire of your académie.",
    )


def email_taken() -> ProblemError:
    return ProblemError(409, "email-taken", "Conflict", "Another account uses this email address")
