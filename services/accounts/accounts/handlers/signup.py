"""Creating a candidate account, activating it, and erasing it when never activated.

Each handler runs in the one transaction its entrypoint opens. The password is hashed before
that transaction (`entrypoints/http.py`, the endpoint's `around`): no pooled connection waits
for an Argon2 slot. Creation and a new link answer no sooner than the answer floor, also
outside the transaction, so that a known email does not show in the response time.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from accounts.adapters import accounts_sql, tokens_sql
from accounts.deps import Deps
from accounts.domain.accounts import Account, TokenPurpose
from accounts.domain.errors import InvalidLink, LinkExpired
from accounts.domain.tokens import digest, new_token
from accounts.entrypoints.schemas import Accepted, Activated, EmailGiven, NewAccount, TokenGiven
from accounts.handlers.mail_quota import may_send_unsolicited
from shared.events.catalogue import (
    AccountActivated,
    AccountErased,
    AccountRegistered,
    AccountRegistrationRepeated,
)

# The one answer to a creation or a resend, whether or not the email is known.
ACCEPTED = Accepted(detail="An email has been sent to this address with the next step")
ERASED_REASON = "not activated within 48 hours"


async def create_account(
    conn: asyncpg.Connection, command: NewAccount, deps: Deps, password_hash: str
) -> Accepted:
    """`password_hash` is hashed before the email is looked at: a taken email costs the same."""
    now = deps.clock.now()
    account_id = uuid.uuid4()
    identite = command.identite.to_identite()
    token, expires_at = new_token(), now + deps.lifetimes.activation
    # A pending account past its window, not yet erased by the job, must not keep the email.
    expired = await accounts_sql.erase_expired_pending_with_email(conn, command.email, now)
    if expired is not None:
        await deps.outbox.add(conn, AccountErased(account_id=expired, reason=ERASED_REASON))
    created = await accounts_sql.insert_candidate(
        conn,
        account_id=account_id,
        email=command.email,
        password_hash=password_hash,
        identite=identite,
        created_at=now,
        pending_until=expires_at,
    )
    if not created:
        await _registration_repeated(conn, command.email, deps)
        return ACCEPTED
    await _activation_token(conn, account_id, token, expires_at, deps)
    registered = AccountRegistered(
        account_id=account_id,
        email=command.email,
        identite=identite,
        activation_token=token,
        activation_expires_at=expires_at,
    )
    await deps.outbox.add(conn, registered)
    return ACCEPTED


async def _activation_token(
    conn: asyncpg.Connection,
    account_id: uuid.UUID,
    token: str,
    expires_at: datetime,
    deps: Deps,
) -> None:
    await tokens_sql.insert(
        conn,
        digest=digest(token),
        account_id=account_id,
        purpose=TokenPurpose.ACTIVATION,
        created_at=deps.clock.now(),
        expires_at=expires_at,
    )


async def _registration_repeated(conn: asyncpg.Connection, email: str, deps: Deps) -> None:
    existing = await accounts_sql.by_email(conn, email)
    if existing is None:  # erased since the insert found it: nobody to tell
        return
    if not await may_send_unsolicited(conn, existing.email, deps):
        return
    repeated = AccountRegistrationRepeated(account_id=existing.id, email=existing.email)
    await deps.outbox.add(conn, repeated)


async def activate(conn: asyncpg.Connection, command: TokenGiven, deps: Deps) -> Activated:
    taken = await tokens_sql.take(conn, digest(command.token), TokenPurpose.ACTIVATION)
    now = deps.clock.now()
    if taken is None:
        raise InvalidLink()
    if taken.expires_at <= now:
        raise LinkExpired(deps.lifetimes.activation)
    account = await accounts_sql.by_id(conn, taken.account_id, lock=True)
    if account is None or not await accounts_sql.activate(conn, account.id, now):
        raise InvalidLink()
    await deps.outbox.add(
        conn, AccountActivated(account_id=account.id, email=account.email, activated_at=now)
    )
    return Activated(account_id=account.id, activated_at=now)


async def resend_activation(conn: asyncpg.Connection, command: EmailGiven, deps: Deps) -> Accepted:
    """A new link, valid 48 hours from now, voids the previous one. The event is an
    AccountRegistered again: it carries exactly what the activation email needs."""
    account = await accounts_sql.by_email(conn, command.email, lock=True)
    if (
        account is not None
        and not account.is_active
        and account.identite is not None
        # Past its window the account is as good as erased: no new life for it.
        and await accounts_sql.is_live_pending(conn, account.id, deps.clock.now())
    ):
        await _new_activation_link(conn, account, deps)
    return ACCEPTED


async def _new_activation_link(conn: asyncpg.Connection, account: Account, deps: Deps) -> None:
    assert account.identite is not None
    if not await may_send_unsolicited(conn, account.email, deps):
        return  # the current link stays valid
    token, expires_at = new_token(), deps.clock.now() + deps.lifetimes.activation
    await tokens_sql.void(conn, account.id, TokenPurpose.ACTIVATION)
    await _activation_token(conn, account.id, token, expires_at, deps)
    await accounts_sql.extend_pending(conn, account.id, expires_at)
    registered = AccountRegistered(
        account_id=account.id,
        email=account.email,
        identite=account.identite,
        activation_token=token,
        activation_expires_at=expires_at,
    )
    await deps.outbox.add(conn, registered)


async def erase_unactivated(conn: asyncpg.Connection, deps: Deps) -> list[uuid.UUID]:
    """The periodic job: pending accounts past their activation window go, with their tokens;
    their emails can be registered again."""
    now = deps.clock.now()
    erased = await accounts_sql.erase_expired_pending(conn, now)
    for account_id in erased:
        await deps.outbox.add(conn, AccountErased(account_id=account_id, reason=ERASED_REASON))
    await tokens_sql.delete_expired(conn, now)
    return erased
