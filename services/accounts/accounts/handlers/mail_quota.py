"""A bound on the emails that anyone can cause to an address through the public forms
("account already exists", a new activation link, a password reset), so that nobody can flood
a mailbox. Past it the answer stays the same: only the email is not sent."""

from __future__ import annotations

import asyncpg

from accounts.adapters import throttle_sql
from accounts.deps import Deps
from accounts.domain.throttle import MAIL_RULE, mail_key


async def may_send_unsolicited(conn: asyncpg.Connection, email: str, deps: Deps) -> bool:
    """True, and counted, while the address has had fewer than the allowed emails lately."""
    key, now = mail_key(email), deps.clock.now()
    sent = await throttle_sql.failures(conn, [key])
    if sent and not MAIL_RULE.allows(sent[0].failures, sent[0].last_failure_at, now):
        return False
    await throttle_sql.record_failure(conn, [key], now, MAIL_RULE.window)
    return True
