"""The identity projection: account events into a local copy of candidates' identities.

Each handler runs in the transaction that writes the inbox row, so each event has its effect
once. `occurred_at` orders events that arrive out of order; an erased account stays erased
(`shared.erasure`): every handler first takes the account's lock, so they run one at a time
per account across consumer workers.
"""

from __future__ import annotations

import uuid

import asyncpg

from registration.adapters import identites_sql as sql
from registration.deps import Deps
from registration.domain.errors import NotFound
from registration.entrypoints.schemas import IdentiteLocale
from shared.erasure import lock_account, lock_and_check_erased, record_erased
from shared.events import Envelope
from shared.events.catalogue import (
    AccountActivated,
    AccountEmailChanged,
    AccountErased,
    AccountIdentityChanged,
    AccountRegistered,
)


async def on_registered(
    conn: asyncpg.Connection, envelope: Envelope, payload: AccountRegistered
) -> None:
    if await lock_and_check_erased(conn, payload.account_id):
        return
    at = envelope.occurred_at
    await sql.set_email(conn, payload.account_id, payload.email, at)
    await sql.set_identite(conn, payload.account_id, payload.identite.model_dump(mode="json"), at)


async def on_activated(
    conn: asyncpg.Connection, envelope: Envelope, payload: AccountActivated
) -> None:
    if await lock_and_check_erased(conn, payload.account_id):
        return
    await sql.set_activated(conn, payload.account_id, payload.activated_at)
    await sql.set_email(conn, payload.account_id, payload.email, envelope.occurred_at)


async def on_identity_changed(
    conn: asyncpg.Connection, envelope: Envelope, payload: AccountIdentityChanged
) -> None:
    if await lock_and_check_erased(conn, payload.account_id):
        return
    identite = payload.identite.model_dump(mode="json")
    await sql.set_identite(conn, payload.account_id, identite, envelope.occurred_at)


async def on_email_changed(
    conn: asyncpg.Connection, envelope: Envelope, payload: AccountEmailChanged
) -> None:
    if await lock_and_check_erased(conn, payload.account_id):
        return
    await sql.set_email(conn, payload.account_id, payload.new_email, envelope.occurred_at)


async def on_erased(conn: asyncpg.Connection, envelope: Envelope, payload: AccountErased) -> None:
    await lock_account(conn, payload.account_id)
    await sql.delete_identite(conn, payload.account_id)
    await record_erased(conn, payload.account_id, envelope.occurred_at)


async def get(conn: asyncpg.Connection, account_id: uuid.UUID, deps: Deps) -> IdentiteLocale:
    """The candidate's identity as the accounts service last announced it."""
    row = await sql.get_identite(conn, account_id)
    if row is None:
        raise NotFound("Your identity (not yet received from the accounts service)")
    return IdentiteLocale(
        account_id=row["account_id"],
        email=row["email"],
        activated=row["activated_at"] is not None,
        identite=row["identite"],
    )
