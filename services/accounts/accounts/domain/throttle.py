"""Throttling failed logins: a growing delay after a few failures, never a permanent lock."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottleRule:
    """After `free_failures`, each failure doubles the wait, up to `max_delay`; failures older
    than `forget_after` are forgotten, so the owner is never locked out for good."""

    free_failures: int
    first_delay: timedelta
    max_delay: timedelta
    forget_after: timedelta

    def delay(self, failures: int) -> timedelta:
        if failures < self.free_failures:
            return timedelta(0)
        doublings: int = min(failures - self.free_failures, 30)
        delay: timedelta = self.first_delay * (2**doublings)
        return min(delay, self.max_delay)

    def blocked_until(
        self, failures: int, last_failure_at: datetime, now: datetime
    ) -> datetime | None:
        if now - last_failure_at >= self.forget_after:
            return None
        until = last_failure_at + self.delay(failures)
        return until if until > now else None


# Keyed by the email as typed, known or not, so that being throttled reveals nothing.
EMAIL_RULE = ThrottleRule(5, timedelta(seconds=2), timedelta(minutes=15), timedelta(hours=1))
# A client failing on many emails is slowed down whatever email it tries next.
CLIENT_RULE = ThrottleRule(20, timedelta(seconds=2), timedelta(minutes=15), timedelta(hours=1))


@dataclass(frozen=True)
class MailRule:
    """At most `per_window` emails within `window` of the last one (a count starts again once
    an address has had none for `window`)."""

    per_window: int
    window: timedelta

    def allows(self, sent: int, last_sent_at: datetime, now: datetime) -> bool:
        return sent < self.per_window or now - last_sent_at >= self.window


MAIL_RULE = MailRule(per_window=5, window=timedelta(hours=1))


def mail_key(email: str) -> str:
    return "mail:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def email_key(email: str) -> str:
    return "email:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def client_key(client: str) -> str:
    return "client:" + client
