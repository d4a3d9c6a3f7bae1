"""Modifier mon compte: identity, email, password; and the forgotten password.

Most handlers run in the one transaction their entrypoint opens. Documented exceptions, whose
handlers take the pool:
- `request_email_change` and `change_password` ask the current password again: its attempt is
  counted and committed before the Argon2 check (as a login, `handlers/logins.py`), and the
  new password is hashed holding no connection;
- `reset_password` looks at the token before hashing (a made-up token costs no Argon2 work),
  hashes holding no connection, then takes the token in the transaction that sets the hash.
A reset request answers no sooner than the answer floor, outside its transaction
(`entrypoints/http.py`), so that a known email does not show in the response time.
"""

from __future__ import annotations

import uuid

import asyncpg

from accounts.adapters import accounts_sql, logins_sql, staff_sql, throttle_sql, tokens_sql
from accounts.deps import Deps
from accounts.domain.accounts import Account, TokenPurpose
from accounts.domain.errors import EmailTaken, IdentityLocked, InvalidLink, LinkExpired, NotFound
from accounts.domain.identite import IdentiteInput
from accounts.domain.throttle import email_key
from accounts.domain.tokens import digest, new_token
from accounts.entrypoints.schemas import (
    Accepted,
    EmailChange,
    EmailChanged,
    EmailGiven,
    Me,
    PasswordChange,
    PasswordReset,
    TokenGiven,
)
from accounts.handlers.logins import verify_current_password
from accounts.handlers.mail_quota import may_send_unsolicited
from accounts.handlers.signup import ACCEPTED
from shared.auth import Principal, Role
from shared.db import in_transaction
from shared.events.catalogue import (
    AccountEmailChanged,
    AccountEmailChangeRequested,
    AccountIdentityChanged,
    Identite,
    PasswordResetRequested,
)


def me_of(account: Account) -> Me:
    return Me(
        account_id=account.id,
        email=account.email,
        role=str(account.role),
        academies=sorted(account.academies),
        identite=account.identite,
        identity_locked=account.identity_locked,
    )


async def existing(
    conn: asyncpg.Connection, account_id: uuid.UUID, *, lock: bool = False
) -> Account:
    account = await accounts_sql.by_id(conn, account_id, lock=lock)
    if account is None:
        raise NotFound("This account does not exist")
    return account


async def me(conn: asyncpg.Connection, principal: Principal) -> Me:
    return me_of(await existing(conn, principal.account_id))


async def update_identite(
    conn: asyncpg.Connection, principal: Principal, command: IdentiteInput, deps: Deps
) -> Me:
    account = await existing(conn, principal.account_id, lock=True)
    if account.role is not Role.CANDIDAT:
        raise NotFound("This candidate account does not exist")
    if account.identity_locked:
        raise IdentityLocked()
    await change_identite(conn, account, command.to_identite(), principal, None, deps)
    return me_of(await existing(conn, account.id))


async def change_identite(
    conn: asyncpg.Connection,
    account: Account,
    identite: Identite,
    principal: Principal,
    reason: str | None,
    deps: Deps,
) -> None:
    """Every change is audited (who, when, why, what it was) and published."""
    await accounts_sql.set_identite(conn, account.id, identite)
    await staff_sql.insert_audit(
        conn,
        account_id=account.id,
        changed_by=principal.account_id,
        changed_by_role=principal.role,
        changed_at=deps.clock.now(),
        reason=reason,
        before=account.identite,
        after=identite,
    )
    changed = AccountIdentityChanged(
        account_id=account.id, identite=identite, changed_by=principal.account_id, reason=reason
    )
    await deps.outbox.add(conn, changed)


async def _current_account(pool: asyncpg.Pool, principal: Principal) -> Account:
    async with pool.acquire() as conn:
        return await existing(conn, principal.account_id)


async def request_email_change(
    pool: asyncpg.Pool, principal: Principal, command: EmailChange, deps: Deps
) -> Accepted:
    account = await _current_account(pool, principal)
    # The password again: a stolen access token alone must not move the account elsewhere.
    await verify_current_password(pool, account, command.password, "password", deps)
    return await in_transaction(pool, lambda conn: _email_change_link(conn, account, command, deps))


async def _email_change_link(
    conn: asyncpg.Connection, account: Account, command: EmailChange, deps: Deps
) -> Accepted:
    token, expires_at = new_token(), deps.clock.now() + deps.lifetimes.email_change
    await tokens_sql.void(conn, account.id, TokenPurpose.EMAIL_CHANGE)
    await _insert_token(conn, account, TokenPurpose.EMAIL_CHANGE, token, deps, command.new_email)
    requested = AccountEmailChangeRequested(
        account_id=account.id,
        current_email=account.email,
        new_email=command.new_email,
        confirmation_token=token,
        confirmation_expires_at=expires_at,
    )
    await deps.outbox.add(conn, requested)
    return Accepted(detail="A confirmation link has been sent to the new address")


async def _insert_token(
    conn: asyncpg.Connection,
    account: Account,
    purpose: TokenPurpose,
    token: str,
    deps: Deps,
    new_email: str | None = None,
) -> None:
    now = deps.clock.now()
    await tokens_sql.insert(
        conn,
        digest=digest(token),
        account_id=account.id,
        purpose=purpose,
        created_at=now,
        expires_at=now + deps.lifetimes.of(purpose),
        new_email=new_email,
    )


async def confirm_email_change(
    conn: asyncpg.Connection, command: TokenGiven, deps: Deps
) -> EmailChanged:
    taken = await tokens_sql.take(conn, digest(command.token), TokenPurpose.EMAIL_CHANGE)
    if taken is None or taken.new_email is None:
        raise InvalidLink()
    if taken.expires_at <= deps.clock.now():
        raise LinkExpired(deps.lifetimes.email_change)
    account = await existing(conn, taken.account_id, lock=True)
    if not await accounts_sql.set_email(conn, account.id, taken.new_email):
        raise EmailTaken()
    # Reset links went to the old address, which no longer speaks for the account.
    await tokens_sql.void(conn, account.id, TokenPurpose.PASSWORD_RESET)
    changed = AccountEmailChanged(
        account_id=account.id, old_email=account.email, new_email=taken.new_email
    )
    await deps.outbox.add(conn, changed)
    return EmailChanged(account_id=account.id, email=taken.new_email)


async def change_password(
    pool: asyncpg.Pool,
    principal: Principal,
    login_id: uuid.UUID | None,
    command: PasswordChange,
    deps: Deps,
) -> None:
    """The current login stays; every other one ends."""
    account = await _current_account(pool, principal)
    await verify_current_password(pool, account, command.current_password, "current_password", deps)
    new_hash = await deps.hasher.hash(command.new_password)

    async def write(conn: asyncpg.Connection) -> None:
        await accounts_sql.set_password_hash(conn, account.id, new_hash)
        await logins_sql.revoke_logins(conn, account.id, deps.clock.now(), keep=login_id)
        # A pending move to another address may have been asked with the old password.
        await tokens_sql.void(conn, account.id, TokenPurpose.EMAIL_CHANGE)

    await in_transaction(pool, write)


async def request_password_reset(
    conn: asyncpg.Connection, command: EmailGiven, deps: Deps
) -> Accepted:
    """The same answer, in the same time (the floor), whether the email is known or not."""
    account = await accounts_sql.by_email(conn, command.email, lock=True)
    if account is not None and account.is_active:
        await _reset_link(conn, account, deps)
    return ACCEPTED


async def _reset_link(conn: asyncpg.Connection, account: Account, deps: Deps) -> None:
    if not await may_send_unsolicited(conn, account.email, deps):
        return  # the last link sent stays valid
    token, expires_at = new_token(), deps.clock.now() + deps.lifetimes.password_reset
    await tokens_sql.void(conn, account.id, TokenPurpose.PASSWORD_RESET)
    await _insert_token(conn, account, TokenPurpose.PASSWORD_RESET, token, deps)
    requested = PasswordResetRequested(
        account_id=account.id, email=account.email, reset_token=token, reset_expires_at=expires_at
    )
    await deps.outbox.add(conn, requested)


async def reset_password(pool: asyncpg.Pool, command: PasswordReset, deps: Deps) -> None:
    """Every login ends, and the failed-login count of the email is forgotten."""
    token_digest = digest(command.token)
    # The token is looked at before hashing: a made-up one must cost the server no Argon2 work.
    async with pool.acquire() as conn:
        peeked = await tokens_sql.peek(conn, token_digest, TokenPurpose.PASSWORD_RESET)
    _live_reset_token(peeked, deps)
    new_hash = await deps.hasher.hash(command.new_password)
    await in_transaction(pool, lambda conn: _set_password(conn, token_digest, new_hash, deps))


async def _set_password(
    conn: asyncpg.Connection, token_digest: bytes, new_hash: str, deps: Deps
) -> None:
    taken = _live_reset_token(
        await tokens_sql.take(conn, token_digest, TokenPurpose.PASSWORD_RESET), deps
    )
    account = await existing(conn, taken.account_id, lock=True)
    await accounts_sql.set_password_hash(conn, account.id, new_hash)
    await logins_sql.revoke_logins(conn, account.id, deps.clock.now())
    await tokens_sql.void(conn, account.id, TokenPurpose.EMAIL_CHANGE)
    await throttle_sql.forget(conn, [email_key(account.email)])


def _live_reset_token(token: tokens_sql.TakenToken | None, deps: Deps) -> tokens_sql.TakenToken:
    if token is None:
        raise InvalidLink()
    if token.expires_at <= deps.clock.now():
        raise LinkExpired(deps.lifetimes.password_reset)
    return token
