"""The one place the accounts service turns its errors into problem+json answers."""

from __future__ import annotations

from accounts.domain.errors import (
    EmailTaken,
    IdentityLocked,
    InvalidCredentials,
    InvalidLink,
    InvalidRefreshToken,
    LinkExpired,
    NotActivated,
    NotFound,
    OutOfScope,
    Throttled,
    WrongPassword,
)
from shared.auth import forbidden
from shared.http.api import ProblemMap
from shared.http.problems import FieldError, ProblemError


def invalid_link(_: InvalidLink) -> ProblemError:
    return ProblemError(
        400,
        "invalid-link",
        "Invalid link",
        "This link is not valid: it was already used, replaced by a newer one, or it expired "
        "and its account was erased",
    )


def expired_link(error: LinkExpired) -> ProblemError:
    hours = int(error.lifetime.total_seconds() // 3600)
    return ProblemError(
        410,
        "link-expired",
        "Link expired",
        f"This link was valid for {hours} hour{'s' if hours > 1 else ''}; it expired",
    )


def bad_credentials(_: InvalidCredentials) -> ProblemError:
    return ProblemError(
        401, "invalid-credentials", "Invalid credentials", "The email or the password is wrong"
    )


def not_activated(_: NotActivated) -> ProblemError:
    return ProblemError(
        403,
        "account-not-activated",
        "Account not activated",
        "Activate the account with the link sent by email (or ask for a new link)",
    )


def throttled(error: Throttled) -> ProblemError:
    seconds = max(1, int(error.retry_after.total_seconds() + 0.999))
    return ProblemError(
        429,
        "too-many-attempts",
        "Too many attempts",
        f"Too many failed attempts: try again in {seconds} seconds, or reset the password",
        headers={"Retry-After": str(seconds)},
    )


def invalid_refresh_token(_: InvalidRefreshToken) -> ProblemError:
    return ProblemError(
        401,
        "invalid-refresh-token",
        "Invalid refresh token",
        "The refresh token is unknown, already used, revoked or expired: log in again",
    )


def wrong_password(error: WrongPassword) -> ProblemError:
    message = "The current password is not right"
    return ProblemError(
        422,
        "wrong-password",
        "Wrong password",
        message,
        errors=[FieldError(field=error.field, message=message, code="wrong")],
    )


def identity_locked(_: IdentityLocked) -> ProblemError:
    return ProblemError(
        409,
        "identity-locked",
        "Identity locked",
        "A candidature exists for this account: only the email and the password can change now. "
        "To correct your identity, contact the gestionnaire of your académie.",
    )


def email_taken(_: EmailTaken) -> ProblemError:
    return ProblemError(409, "email-taken", "Conflict", "Another account uses this email address")


def not_found(error: NotFound) -> ProblemError:
    return ProblemError(404, "not-found", "Not found", error.detail)


def out_of_scope(error: OutOfScope) -> ProblemError:
    return forbidden(error.principal, error.detail)  # logged, as every refusal


PROBLEMS: ProblemMap = {
    InvalidLink: invalid_link,
    LinkExpired: expired_link,
    InvalidCredentials: bad_credentials,
    NotActivated: not_activated,
    Throttled: throttled,
    InvalidRefreshToken: invalid_refresh_token,
    WrongPassword: wrong_password,
    IdentityLocked: identity_locked,
    EmailTaken: email_taken,
    NotFound: not_found,
    OutOfScope: out_of_scope,
}
