"""The identity projection: account events into a local copy of candidates' identities.

Each handler runs in the transaction that writes the inbox row, so each event has its effect
once. `occurred_at` orders events that arrive out of order; an erased account stays erased:
every handler first takes a transaction lock on the account, so they run one at a time per
account across consumer workers.
"""

from __future__ import annotations

import uuid

import asyncpg

from registration.adapters import identites as sql
from shared.events import Envelope
from shared.events.catalogue import (
    AccountActivated,
    AccountEmailChanged,
    AccountErased,
    AccountIdentityChanged,
    AccountRegistered,
)


async def _erased(conn: asyncpg.Connection, account_id: uuid.UUID) -> bool:
    """Takes the account's lock (held until commit), then reads its tombstone."""
    await sql.lock_account(conn, account_id)
    return await sql.is_erased(conn, account_id)


async def on_registered(
    conn: asyncpg.Connection, envelope: Envelope, payload: AccountRegistered
) -> None:
    if await _erased(conn, payload.account_id):
        return
    at = envelope.occurred_at
    await sql.set_email(conn, payload.account_id, payload.email, at)
    await sql.set_identite(conn, payload.account_id, payload.identite.model_dump(mode="json"), at)


async def on_activated(
    conn: asyncpg.Connection, envelope: Envelope, payload: AccountActivated
) -> None:
    if await _erased(conn, payload.account_id):
        return
    await sql.set_activated(conn, payload.account_id, payload.activated_at)
    await sql.set_email(conn, payload.account_id, payload.email, envelope.occurred_at)


async def on_identity_changed(
    conn: asyncpg.Connection, envelope: Envelope, payload: AccountIdentityChanged
) -> None:
    if await _erased(conn, payload.account_id):
        return
    identite = payload.identite.model_dump(mode="json")
    await sql.set_identite(conn, payload.account_id, identite, envelope.occurred_at)


async def on_email_changed(
    conn: asyncpg.Connection, envelope: Envelope, payload: AccountEmailChanged
) -> None:
    if await _erased(conn, payload.account_id):
        return
    await sql.set_email(conn, payload.account_id, payload.new_email, envelope.occurred_at)


async def on_erased(conn: asyncpg.Connection, envelope: Envelope, payload: AccountErased) -> None:
    await sql.lock_account(conn, payload.account_id)
    await sql.erase(conn, payload.account_id, envelope.occurred_at)
