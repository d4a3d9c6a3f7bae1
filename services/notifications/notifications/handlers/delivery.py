"""Delivering claimed messages: one SMTP session per batch, every attempt logged, a 4xx or an
outage deferred with a growing delay, a 5xx failed for an administrateur to see."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from email.headerregistry import Address
from typing import Any

import asyncpg
from prometheus_client import Counter

from notifications.adapters import messages_sql as sql
from notifications.adapters.smtp import SmtpMailer, SmtpSession, SmtpUnavailable
from notifications.domain.delivery import Attempt, Outcome, retry_delay_s
from notifications.domain.mail import Outgoing, build_message
from shared.db import DATABASE_UNREACHABLE, until_answered
from shared.outages import DATABASE, Outage

log = logging.getLogger(__name__)
# Reported once per outage, like the database and the broker.
SMTP = Outage("smtp")

DELIVERY_ATTEMPTS = Counter(
    "notifications_delivery_attempts_total", "SMTP delivery attempts by outcome", ["outcome"]
)


class Pacer:
    """Spaces sends `1 / per_second` apart across every session of the process."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._clock = clock
        self._next_slot = float("-inf")

    def reserve(self) -> float:
        """Take the next slot; return how long to wait for it."""
        now = self._clock()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self.interval
        return slot - now

    async def wait(self) -> None:
        if self.interval:
            delay = self.reserve()
            if delay > 0:
                await asyncio.sleep(delay)


class OneBehind:
    """Records an outcome while the next message is being sent: a commit waits for the disk,
    and the SMTP session need not wait with it. At most one record is in flight."""

    def __init__(self) -> None:
        self._task: asyncio.Future[None] | None = None

    async def then(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await self.drain()
        except BaseException:
            work.close()
            raise
        self._task = asyncio.ensure_future(work)

    async def drain(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            await task


class Lease:
    """A batch's claim on its messages, renewed every third of the lease while the batch runs:
    a slow batch keeps its messages, and a crashed sender's are due again one lease later.
    While renewals fail (no database), the batch stops sending a third of a lease before the
    last renewal ends, or another sender could claim and send the same messages."""

    def __init__(
        self, pool: asyncpg.Pool, claimed: list[Outgoing], lease_s: float, claimed_at: float
    ) -> None:
        self.pool = pool
        self.lease_s = lease_s
        self._held = {outgoing.id: outgoing.attempts for outgoing in claimed}
        self._until = claimed_at + lease_s
        self._task: asyncio.Task[None] | None = None

    def holds(self) -> bool:
        return time.monotonic() < self._until - self.lease_s / 3

    def let_go(self, outgoing: Outgoing) -> None:
        """Its outcome is being recorded: the record sets when it is due, not the lease."""
        self._held.pop(outgoing.id, None)

    async def __aenter__(self) -> Lease:
        self._task = asyncio.create_task(self._renew())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.lease_s / 3)
            started = time.monotonic()
            try:
                async with self.pool.acquire() as conn:
                    await sql.renew_lease(conn, list(self._held.items()), self.lease_s)
            except DATABASE_UNREACHABLE as exc:
                DATABASE.failed(exc)
                continue
            self._until = started + self.lease_s


@dataclass(frozen=True)
class Policy:
    batch_size: int
    lease_s: float
    retry_initial_s: float
    retry_max_s: float
    # How long an outcome waits for the database to record it before it is given up (the
    # message is then sent again when its lease ends).
    record_patience_s: float = 600.0


class Courier:
    def __init__(
        self,
        pool: asyncpg.Pool,
        mailer: SmtpMailer,
        sender: Address,
        pacer: Pacer,
        policy: Policy,
    ) -> None:
        self.pool = pool
        self.mailer = mailer
        self.sender = sender
        self.pacer = pacer
        self.policy = policy

    async def deliver_due(self, stopping: Callable[[], bool] = lambda: False) -> int:
        """Claim a batch of due messages and try each; return how many were claimed."""
        claimed_at = time.monotonic()
        async with self.pool.acquire() as conn:
            claimed = await sql.claim_due(conn, self.policy.batch_size, self.policy.lease_s)
        DATABASE.answered()
        if claimed:
            lease = Lease(self.pool, claimed, self.policy.lease_s, claimed_at)
            async with lease:
                await self._deliver(claimed, lease, stopping)
        return len(claimed)

    async def _deliver(
        self, claimed: list[Outgoing], lease: Lease, stopping: Callable[[], bool]
    ) -> None:
        pending = list(claimed)
        recording = OneBehind()
        try:
            async with self.mailer.session() as session:
                SMTP.answered()
                while pending and not stopping() and lease.holds():
                    attempt = await self._send(session, pending[0])
                    lease.let_go(pending[0])
                    await recording.then(self._record(pending.pop(0), attempt))
                    if attempt.connection_lost:
                        break
        except SmtpUnavailable as exc:
            SMTP.failed(str(exc))
            for outgoing in pending:
                lease.let_go(outgoing)
                await self._record(outgoing, Attempt(Outcome.DEFERRED, None, str(exc)))
            pending = []
        finally:
            await recording.drain()
            if pending:
                await self._release(pending)

    async def _send(self, session: SmtpSession, outgoing: Outgoing) -> Attempt:
        try:
            message = build_message(outgoing, self.sender)
        except ValueError as exc:
            attempt = Attempt(Outcome.REFUSED, None, f"cannot build the message: {exc}")
        else:
            await self.pacer.wait()
            attempt = await session.send(message, self.sender.addr_spec, outgoing.recipient.address)
        return attempt

    async def _record(self, outgoing: Outgoing, attempt: Attempt) -> None:
        """The outcome is a fact (the server has the email, or refused it): while the database
        cannot take its record, wait for it; resending is not the way to record it."""
        DELIVERY_ATTEMPTS.labels(attempt.outcome.value).inc()
        if attempt.outcome is Outcome.REFUSED:
            log.warning("email refused", extra={"outgoing_id": outgoing.id, "why": attempt.detail})

        async def write() -> None:
            before = outgoing.attempts
            async with self.pool.acquire() as conn:
                if attempt.outcome is Outcome.DELIVERED:
                    await sql.record_delivered(conn, outgoing.id, attempt, before)
                elif attempt.outcome is Outcome.REFUSED:
                    await sql.record_refused(conn, outgoing.id, attempt, before)
                else:
                    delay = self._delay(outgoing)
                    await sql.record_deferred(conn, outgoing.id, attempt, delay, before)

        await until_answered(
            write, patience_s=self.policy.record_patience_s, what="recording an email's outcome"
        )

    def _delay(self, outgoing: Outgoing) -> float:
        policy = self.policy
        return retry_delay_s(outgoing.attempts + 1, policy.retry_initial_s, policy.retry_max_s)

    async def _release(self, pending: list[Outgoing]) -> None:
        """Not worth a long wait: without it, the messages are due when the lease ends."""

        async def write() -> None:
            async with self.pool.acquire() as conn:
                await sql.release(conn, [outgoing.id for outgoing in pending])

        await until_answered(write, patience_s=self.policy.lease_s, what="giving emails back")
