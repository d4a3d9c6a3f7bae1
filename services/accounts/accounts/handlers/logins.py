"""Logging in, refreshing and logging out (a "login" is what the tables call a session: a
refresh-token family; the word "session" belongs to registration's exam sessions).

Documented exceptions to the one-transaction rule, whose handlers take the pool:
- `login` (and `verify_current_password`, which profile uses) counts the attempt as a failure
  and COMMITS that before checking the hash, so that parallel guesses cannot all pass the
  check; the Argon2 verification then runs holding no connection, and a success is written in
  a second transaction.
- `refresh`: the revocation of a login whose refresh token was reused must be committed even
  though the answer is a 401, so the error is raised after the transaction.
`logout` is an ordinary `(conn, command, deps)` handler.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

import asyncpg

from accounts.adapters import accounts_sql, logins_sql, throttle_sql
from accounts.deps import Deps
from accounts.domain.accounts import Account, Status, StoredCredentials
from accounts.domain.errors import (
    InvalidCredentials,
    InvalidRefreshToken,
    NotActivated,
    Throttled,
    WrongPassword,
)
from accounts.domain.throttle import CLIENT_RULE, EMAIL_RULE, client_key, email_key
from accounts.domain.tokens import digest, new_token
from accounts.entrypoints.schemas import Credentials, RefreshTokenGiven, TokenPair
from shared.db import in_transaction


async def login(pool: asyncpg.Pool, command: Credentials, client: str, deps: Deps) -> TokenPair:
    email, client = email_key(command.email), client_key(client)
    now = deps.clock.now()
    await in_transaction(pool, lambda conn: count_attempt(conn, [email], now, also_check=[client]))
    async with pool.acquire() as conn:
        found = await accounts_sql.credentials(conn, command.email)
    # One hash is checked whether or not the email is known: the same work, the same time.
    matches = await deps.hasher.verify(found.password_hash if found else None, command.password)
    if found is None or not matches:
        await in_transaction(pool, lambda conn: _client_failed(conn, client, now))
        raise InvalidCredentials()  # the email's failure was counted in advance
    if found.status is not Status.ACTIVE:
        await _take_back(pool, [email])  # the right password: no failure
        raise NotActivated()
    new_hash = await _rehashed(found.password_hash, command.password, deps)
    return await in_transaction(pool, lambda conn: _logged_in(conn, found, new_hash, email, deps))


async def _client_failed(conn: asyncpg.Connection, client: str, now: datetime) -> None:
    """A client's failures are counted once they are known, not in advance: many candidates
    behind one address (a lycée's network, a NAT, the gateway) log in at once, and counting
    their attempts in flight as failures would refuse the right passwords. Parallel guesses
    on one email are still counted in advance, on the email's key."""
    await throttle_sql.record_failure(conn, [client], now, CLIENT_RULE.forget_after)


async def _logged_in(
    conn: asyncpg.Connection,
    found: StoredCredentials,
    new_hash: str | None,
    email: str,
    deps: Deps,
) -> TokenPair:
    await throttle_sql.forget(conn, [email])
    if new_hash is not None:
        await accounts_sql.set_password_hash(conn, found.account_id, new_hash)
    account = await accounts_sql.by_id(conn, found.account_id)
    if account is None:  # erased between the check and now
        raise InvalidCredentials()
    return await open_login(conn, account, deps)


async def _rehashed(stored: str, password: str, deps: Deps) -> str | None:
    """A hash made with older (weaker) parameters is upgraded at the next successful login."""
    if not deps.hasher.needs_rehash(stored):
        return None
    return await deps.hasher.hash(password)


async def verify_current_password(
    pool: asyncpg.Pool, account: Account, password: str, field: str, deps: Deps
) -> None:
    """The password asked again before a sensitive change, throttled like a login: a stolen
    access token must not become a way to guess the password."""
    keys, now = [email_key(account.email)], deps.clock.now()
    await in_transaction(pool, lambda conn: count_attempt(conn, keys, now))
    if not await deps.hasher.verify(account.password_hash, password):
        raise WrongPassword(field)  # already counted
    await _take_back(pool, keys)


async def _take_back(pool: asyncpg.Pool, keys: list[str]) -> None:
    """The attempt counted in advance was right after all."""
    async with pool.acquire() as conn:
        await throttle_sql.take_back(conn, keys)


async def count_attempt(
    conn: asyncpg.Connection, keys: list[str], now: datetime, *, also_check: Sequence[str] = ()
) -> None:
    """Refuse while a key (of `keys` or `also_check`) is throttled; otherwise count the
    attempt as a failure of `keys` at once, before its hash is checked, so that parallel
    guesses cannot all slip past the check. The counters are locked meanwhile: attempts on one
    key take turns for this short while."""
    for row in await throttle_sql.failures(conn, [*keys, *also_check], lock=True):
        rule = EMAIL_RULE if row.key.startswith("email:") else CLIENT_RULE
        until = rule.blocked_until(row.failures, row.last_failure_at, now)
        if until is not None:
            raise Throttled(until - now)
    await throttle_sql.record_failure(conn, keys, now, EMAIL_RULE.forget_after)


async def open_login(conn: asyncpg.Connection, account: Account, deps: Deps) -> TokenPair:
    now = deps.clock.now()
    login_id = uuid.uuid4()
    expires_at = now + deps.lifetimes.login
    await logins_sql.insert_login(conn, login_id, account.id, now, expires_at)
    return await _issue(conn, account, login_id, expires_at, deps)


async def _issue(
    conn: asyncpg.Connection,
    account: Account,
    login_id: uuid.UUID,
    login_expires_at: datetime,
    deps: Deps,
) -> TokenPair:
    now = deps.clock.now()
    refresh_token = new_token()
    await logins_sql.insert_refresh_token(conn, digest(refresh_token), login_id, now)
    return TokenPair(
        access_token=deps.signer.sign(account, login_id),
        expires_in=int(deps.signer.lifetime.total_seconds()),
        refresh_token=refresh_token,
        refresh_expires_in=int((login_expires_at - now).total_seconds()),
    )


async def refresh(pool: asyncpg.Pool, command: RefreshTokenGiven, deps: Deps) -> TokenPair:
    token_digest = digest(command.refresh_token)
    pair = await in_transaction(pool, lambda conn: _rotate(conn, token_digest, deps))
    # Raised only now, so that a revocation for reuse is committed first.
    if pair is None:
        raise InvalidRefreshToken()
    return pair


async def _rotate(conn: asyncpg.Connection, token_digest: bytes, deps: Deps) -> TokenPair | None:
    now = deps.clock.now()
    row = await logins_sql.refresh_token_for_update(conn, token_digest)
    if row is None or row.login_revoked or row.login_expires_at <= now:
        return None
    if row.rotated_at is not None:
        if now - row.rotated_at < deps.lifetimes.refresh_reuse_grace:
            return None  # just rotated: two refreshes racing, the other one won
        # A used token presented again: stolen or replayed. End the login for both holders.
        await logins_sql.revoke_login(conn, row.login_id, now)
        return None
    account = await accounts_sql.by_id(conn, row.account_id)
    if account is None or not account.is_active:
        return None
    await logins_sql.mark_rotated(conn, token_digest, now)
    return await _issue(conn, account, row.login_id, row.login_expires_at, deps)


async def logout(conn: asyncpg.Connection, command: RefreshTokenGiven, deps: Deps) -> None:
    row = await logins_sql.refresh_token_for_update(conn, digest(command.refresh_token))
    if row is not None:
        await logins_sql.revoke_login(conn, row.login_id, deps.clock.now())


async def forget_stale(conn: asyncpg.Connection, deps: Deps) -> None:
    """Housekeeping: ended logins and day-old failure counts go."""
    now = deps.clock.now()
    await logins_sql.delete_ended(conn, now)
    await throttle_sql.forget_older_than(conn, now - timedelta(days=1))
