"""What an administrateur does with the outgoing messages: search them, read one's attempts,
send one again."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from notifications.adapters import messages_sql as sql
from notifications.deps import Deps
from notifications.domain.errors import MessageNotFound, MessagePending, MessagePurged
from notifications.domain.mail import new_message_id
from notifications.entrypoints.schemas import MessageSearch
from shared.auth import Principal


@dataclass(frozen=True)
class MessageWithLog:
    message: sql.MessageRow
    log: list[sql.LogRow]


async def search(
    conn: asyncpg.Connection, query: MessageSearch, deps: Deps
) -> list[sql.MessageRow]:
    """The delivery log, newest first; the recipient compared case-insensitively."""
    return await sql.search_messages(
        conn,
        recipient=query.recipient,
        event_id=query.event_id,
        status=query.status,
        limit=query.limit,
    )


async def show(conn: asyncpg.Connection, message: int, deps: Deps) -> MessageWithLog:
    found = await _existing(conn, message)
    return MessageWithLog(found, await sql.delivery_log(conn, message))


async def resend(
    conn: asyncpg.Connection, message: int, principal: Principal, deps: Deps
) -> sql.MessageRow:
    """Queue a failed (or already sent) message again; its attempts stay in the log."""
    found = await _existing(conn, message)
    if found.body_purged_at is not None:
        raise MessagePurged(message)
    requested_by = f"administrateur {principal.account_id}"
    message_id = new_message_id(deps.mail_from_address)
    if not await sql.make_due_again(conn, message, message_id, requested_by):
        raise MessagePending(message)
    await sql.wake_senders(conn)
    return await _existing(conn, message)


async def _existing(conn: asyncpg.Connection, message: int) -> sql.MessageRow:
    found = await sql.find_message(conn, message)
    if found is None:
        raise MessageNotFound(message)
    return found
