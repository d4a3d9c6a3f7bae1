"""An event in, its emails recorded: in the consumer's transaction, next to the inbox row."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg

from notifications.adapters import messages_sql as sql
from notifications.domain.emails import Compose
from notifications.domain.mail import Email, new_message_id
from notifications.domain.rendering import Renderer
from shared.bus.consumer import Handler
from shared.erasure import lock_account, lock_and_check_erased, record_erased
from shared.events import Envelope
from shared.events.catalogue import AccountErased

log = logging.getLogger(__name__)


class EmailRecorder:
    def __init__(self, renderer: Renderer, sender_address: str) -> None:
        self.renderer = renderer
        self.sender_address = sender_address

    async def record(self, conn: asyncpg.Connection, envelope: Envelope, email: Email) -> None:
        if email.account_id is not None and await lock_and_check_erased(conn, email.account_id):
            log.info(
                "no email for an erased account",
                extra={"event_id": str(envelope.event_id), "template": email.template},
            )
            return
        composed = self.renderer.render(email)
        inserted = await sql.insert_message(
            conn,
            event_id=envelope.event_id,
            event_type=envelope.type,
            composed=composed,
            message_id=new_message_id(self.sender_address),
        )
        if not inserted:
            log.info(
                "email already recorded for this event",
                extra={"event_id": str(envelope.event_id), "template": email.template},
            )

    def handler(self, compose: Compose) -> Handler:
        async def handle(conn: asyncpg.Connection, envelope: Envelope, payload: Any) -> None:
            for email in compose(payload, envelope.occurred_at):
                await self.record(conn, envelope, email)

        return handle


async def erase_account(conn: asyncpg.Connection, envelope: Envelope, event: AccountErased) -> None:
    """An erased account leaves nothing here either: its emails and their delivery log go, and
    a tombstone keeps a later event of the account from storing or sending anything."""
    await lock_account(conn, event.account_id)
    await record_erased(conn, event.account_id, envelope.occurred_at)
    deleted = await sql.erase_account_messages(conn, event.account_id)
    log.info("emails of an erased account deleted", extra={"messages": deleted})
