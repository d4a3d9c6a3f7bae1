"""What an administrateur does with the outgoing messages."""

from __future__ import annotations

import asyncpg

from notifications.adapters import messages_sql as sql
from notifications.domain.mail import new_message_id
from shared.auth import Principal
from shared.http.problems import conflict, not_found


async def resend(
    conn: asyncpg.Connection, message: int, principal: Principal, sender_address: str
) -> sql.MessageSummary:
    """Queue a failed (or already sent) message again; its attempts stay in the log."""
    found = await sql.find_message(conn, message)
    if found is None:
        raise not_found(f"Message {message}")
    if found.body_purged_at is not None:
        raise conflict("message-purged", f"Message {message} is past its retention: no body")
    requested_by = f"administrateur {principal.account_id}"
    if not await sql.make_due_again(conn, message, new_message_id(sender_address), requested_by):
        raise conflict("message-pending", f"Message {message} is already waiting to be sent")
    await sql.wake_senders(conn)
    resent = await sql.find_message(conn, message)
    assert resent is not None
    return resent
