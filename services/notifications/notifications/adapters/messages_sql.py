"""SQL of the outgoing messages and their delivery log: one small function per query."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from notifications.domain.delivery import Attempt
from notifications.domain.mail import Composed, Outgoing, Recipient

NOTIFY_CHANNEL = "outgoing_messages"


@dataclass(frozen=True)
class MessageRow:
    """A message as the admin API lists it (never its bodies: they carry single-use links)."""

    id: int
    event_id: uuid.UUID
    event_type: str
    template: str
    recipient: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    body_purged_at: datetime | None


@dataclass(frozen=True)
class LogRow:
    at: datetime
    outcome: str
    smtp_code: int | None
    detail: str | None


SUMMARY_COLUMNS = """id, event_id, event_type, template, recipient, subject, status, attempts,
    last_error, created_at, next_attempt_at, sent_at, body_purged_at"""


async def insert_message(
    conn: asyncpg.Connection,
    *,
    event_id: uuid.UUID,
    event_type: str,
    composed: Composed,
    message_id: str,
) -> bool:
    """Record a message to send; False when this event already gave it (a redelivery)."""
    inserted = await conn.fetchval(
        """INSERT INTO outgoing_messages (event_id, event_type, template, recipient,
               recipient_name, subject, body_text, body_html, message_id, account_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (event_id, template, recipient) DO NOTHING
           RETURNING true""",
        event_id,
        event_type,
        composed.template,
        composed.recipient.address,
        composed.recipient.name,
        composed.subject,
        composed.text,
        composed.html,
        message_id,
        composed.account_id,
    )
    return bool(inserted)


async def claim_due(conn: asyncpg.Connection, limit: int, lease_s: float) -> list[Outgoing]:
    """Take up to `limit` due messages for one sender: SKIP LOCKED keeps replicas apart, and
    the lease (a later next_attempt_at) keeps them apart after this statement commits."""
    rows = await conn.fetch(
        """UPDATE outgoing_messages SET next_attempt_at = now() + make_interval(secs => $2)
           WHERE id IN (SELECT id FROM outgoing_messages
                        WHERE status = 'pending' AND next_attempt_at <= now()
                        ORDER BY next_attempt_at, id
                        LIMIT $1
                        FOR UPDATE SKIP LOCKED)
           RETURNING id, recipient, recipient_name, subject, body_text, body_html, message_id,
                     created_at, attempts""",
        limit,
        lease_s,
    )
    return sorted((_outgoing(row) for row in rows), key=lambda outgoing: outgoing.id)


def _outgoing(row: asyncpg.Record) -> Outgoing:
    return Outgoing(
        id=row["id"],
        recipient=Recipient(row["recipient"], row["recipient_name"]),
        subject=row["subject"],
        text=row["body_text"],
        html=row["body_html"],
        message_id=row["message_id"],
        created_at=row["created_at"],
        attempts=row["attempts"],
    )


async def release(conn: asyncpg.Connection, ids: list[int]) -> None:
    """Give back claimed messages that were not attempted (a shutdown, a lost connection)."""
    await conn.execute(
        """UPDATE outgoing_messages SET next_attempt_at = now()
           WHERE id = ANY($1) AND status = 'pending'""",
        ids,
    )


async def renew_lease(
    conn: asyncpg.Connection, claimed: list[tuple[int, int]], lease_s: float
) -> None:
    """Push the lease of claimed messages `(id, attempts at the claim)` further ahead. A
    message recorded since its claim has more attempts (or another status): left alone."""
    await conn.execute(
        """UPDATE outgoing_messages AS m
           SET next_attempt_at = now() + make_interval(secs => $3)
           FROM unnest($1::bigint[], $2::int[]) AS c(id, attempts)
           WHERE m.id = c.id AND m.attempts = c.attempts AND m.status = 'pending'""",
        [message for message, _ in claimed],
        [attempts for _, attempts in claimed],
        lease_s,
    )


async def held_by_leases(conn: asyncpg.Connection) -> asyncpg.Record:
    """Messages never attempted yet not due: a sender holds them (a live one, or one that
    stopped: then they are due again when its lease ends)."""
    return await conn.fetchrow(
        """SELECT count(*) AS held, max(next_attempt_at) AS due_by FROM outgoing_messages
           WHERE status = 'pending' AND attempts = 0 AND next_attempt_at > now()"""
    )


# The record_* functions take the attempts counted when the message was claimed (`before`): a
# record repeated because its commit's answer was lost finds the row already recorded, and is
# a no-op.


async def record_delivered(
    conn: asyncpg.Connection, message: int, attempt: Attempt, before: int
) -> None:
    await conn.execute(
        """WITH done AS (
               UPDATE outgoing_messages
               SET status = 'sent', attempts = attempts + 1, sent_at = now(), last_error = NULL
               WHERE id = $1 AND status = 'pending' AND attempts = $4
               RETURNING id)
           INSERT INTO delivery_log (message_id, outcome, smtp_code, detail)
           SELECT id, 'delivered', $2, $3 FROM done""",
        message,
        attempt.smtp_code,
        attempt.detail,
        before,
    )


async def record_deferred(
    conn: asyncpg.Connection, message: int, attempt: Attempt, delay_s: float, before: int
) -> None:
    await conn.execute(
        """WITH done AS (
               UPDATE outgoing_messages
               SET attempts = attempts + 1, last_error = $3,
                   next_attempt_at = now() + make_interval(secs => $4)
               WHERE id = $1 AND status = 'pending' AND attempts = $5
               RETURNING id)
           INSERT INTO delivery_log (message_id, outcome, smtp_code, detail)
           SELECT id, 'deferred', $2, $3 FROM done""",
        message,
        attempt.smtp_code,
        attempt.detail,
        delay_s,
        before,
    )


async def record_refused(
    conn: asyncpg.Connection, message: int, attempt: Attempt, before: int
) -> None:
    await conn.execute(
        """WITH done AS (
               UPDATE outgoing_messages
               SET status = 'failed', attempts = attempts + 1, last_error = $3
               WHERE id = $1 AND status = 'pending' AND attempts = $4
               RETURNING id)
           INSERT INTO delivery_log (message_id, outcome, smtp_code, detail)
           SELECT id, 'refused', $2, $3 FROM done""",
        message,
        attempt.smtp_code,
        attempt.detail,
        before,
    )


async def make_due_again(
    conn: asyncpg.Connection, message: int, message_id: str, requested_by: str
) -> bool:
    """A failed or sent message back in the queue, under a new Message-ID: receivers drop a
    second message that carries the Message-ID of one they already have."""
    done = await conn.fetchval(
        """WITH done AS (
               UPDATE outgoing_messages
               SET status = 'pending', next_attempt_at = now(), sent_at = NULL,
                   last_error = NULL, message_id = $2
               WHERE id = $1 AND status IN ('failed', 'sent') AND body_purged_at IS NULL
               RETURNING id)
           INSERT INTO delivery_log (message_id, outcome, detail)
           SELECT id, 'resend', $3 FROM done
           RETURNING true""",
        message,
        message_id,
        requested_by,
    )
    return bool(done)


async def purge_bodies(conn: asyncpg.Connection, retention_days: int) -> None:
    """Sent emails keep their subject, recipient and log, but not their bodies (single-use
    links, personal data) past the retention."""
    await conn.execute(
        """UPDATE outgoing_messages
           SET body_text = '', body_html = '', body_purged_at = now()
           WHERE status = 'sent' AND body_purged_at IS NULL
             AND sent_at < now() - make_interval(days => $1)""",
        retention_days,
    )


async def wake_senders(conn: asyncpg.Connection) -> None:
    await conn.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)


async def erase_account_messages(conn: asyncpg.Connection, account_id: uuid.UUID) -> int:
    """Delete an erased account's messages and their log; return how many messages."""
    await conn.execute(
        """DELETE FROM delivery_log WHERE message_id IN
               (SELECT id FROM outgoing_messages WHERE account_id = $1)""",
        account_id,
    )
    deleted = await conn.fetchval(
        """WITH gone AS (DELETE FROM outgoing_messages WHERE account_id = $1 RETURNING 1)
           SELECT count(*) FROM gone""",
        account_id,
    )
    return int(deleted)


async def find_message(conn: asyncpg.Connection, message: int) -> MessageRow | None:
    row = await conn.fetchrow(
        f"SELECT {SUMMARY_COLUMNS} FROM outgoing_messages WHERE id = $1", message
    )
    return None if row is None else MessageRow(**row)


async def search_messages(
    conn: asyncpg.Connection,
    *,
    recipient: str | None,
    event_id: uuid.UUID | None,
    status: str | None,
    limit: int,
) -> list[MessageRow]:
    rows = await conn.fetch(
        f"""SELECT {SUMMARY_COLUMNS} FROM outgoing_messages
            WHERE ($1::text IS NULL OR lower(recipient) = lower($1))
              AND ($2::uuid IS NULL OR event_id = $2)
              AND ($3::text IS NULL OR status = $3)
            ORDER BY id DESC
            LIMIT $4""",
        recipient,
        event_id,
        status,
        limit,
    )
    return [MessageRow(**row) for row in rows]


async def delivery_log(conn: asyncpg.Connection, message: int) -> list[LogRow]:
    rows = await conn.fetch(
        """SELECT at, outcome, smtp_code, detail FROM delivery_log
           WHERE message_id = $1 ORDER BY id""",
        message,
    )
    return [LogRow(**row) for row in rows]
