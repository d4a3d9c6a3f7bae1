"""An event in, its emails recorded: in the consumer's transaction, next to the inbox row."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Generic, TypeVar

import asyncpg

from notifications.adapters import messages_sql as sql
from notifications.deps import Deps
from notifications.domain.mail import Email, new_message_id
from shared.erasure import lock_account, lock_and_check_erased, record_erased
from shared.events import Envelope, EventPayload
from shared.events.catalogue import AccountErased

log = logging.getLogger(__name__)

P = TypeVar("P", bound=EventPayload, covariant=True)


@dataclass(frozen=True)
class Received(Generic[P]):
    """An event taken from the queue: what the event handlers are given."""

    envelope: Envelope
    payload: P


async def record_emails(conn: asyncpg.Connection, event: Received[EventPayload], deps: Deps) -> int:
    """Store the emails the event gives; return how many were new. `UNIQUE (event_id,
    template, recipient)` makes a second delivery a no-op even when it gets past the inbox."""
    envelope = event.envelope
    recorded = 0
    for email in deps.mailbook.emails_of(event.payload, envelope.occurred_at):
        recorded += await _record(conn, envelope, email, deps)
    return recorded


async def _record(conn: asyncpg.Connection, envelope: Envelope, email: Email, deps: Deps) -> int:
    where = {"event_id": str(envelope.event_id), "template": email.template}
    if email.account_id is not None and await lock_and_check_erased(conn, email.account_id):
        log.info("no email for an erased account", extra=where)
        return 0
    inserted = await sql.insert_message(
        conn,
        event_id=envelope.event_id,
        event_type=envelope.type,
        composed=deps.renderer.render(email),
        message_id=new_message_id(deps.mail_from_address),
    )
    if not inserted:
        log.info("email already recorded for this event", extra=where)
    return int(inserted)


async def erase_account(
    conn: asyncpg.Connection, event: Received[AccountErased], deps: Deps
) -> int:
    """An erased account leaves nothing here either: its emails and their delivery log go, and
    a tombstone keeps a later event of the account from storing or sending anything."""
    account_id = event.payload.account_id
    await lock_account(conn, account_id)
    await record_erased(conn, account_id, event.envelope.occurred_at)
    deleted = await sql.erase_account_messages(conn, account_id)
    log.info("emails of an erased account deleted", extra={"messages": deleted})
    return deleted
