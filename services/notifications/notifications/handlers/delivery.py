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

log = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class Policy:
    batch_size: int
    lease_s: float
    retry_initial_s: float
    retry_max_s: float


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
        async with self.pool.acquire() as conn:
            claimed = await sql.claim_due(conn, self.policy.batch_size, self.policy.lease_s)
        if claimed:
            await self._deliver(claimed, stopping)
        return len(claimed)

    async def _deliver(self, claimed: list[Outgoing], stopping: Callable[[], bool]) -> None:
        pending = list(claimed)
        # Stop well before the lease ends, or another sender could claim the same messages.
        deadline = time.monotonic() + self.policy.lease_s / 2
        recording = OneBehind()
        try:
            async with self.mailer.session() as session:
                while pending and not stopping() and time.monotonic() < deadline:
                    attempt = await self._send(session, pending[0])
                    await recording.then(self._record(pending.pop(0), attempt))
                    if attempt.connection_lost:
                        break
        except SmtpUnavailable as exc:
            log.warning(
                "SMTP server unavailable", extra={"why": str(exc), "deferred": len(pending)}
            )
            for outgoing in pending:
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
        DELIVERY_ATTEMPTS.labels(attempt.outcome.value).inc()
        if attempt.outcome is Outcome.REFUSED:
            log.warning("email refused", extra={"outgoing_id": outgoing.id, "why": attempt.detail})
        async with self.pool.acquire() as conn:
            if attempt.outcome is Outcome.DELIVERED:
                await sql.record_delivered(conn, outgoing.id, attempt)
            elif attempt.outcome is Outcome.REFUSED:
                await sql.record_refused(conn, outgoing.id, attempt)
            else:
                await sql.record_deferred(conn, outgoing.id, attempt, self._delay(outgoing))

    def _delay(self, outgoing: Outgoing) -> float:
        policy = self.policy
        return retry_delay_s(outgoing.attempts + 1, policy.retry_initial_s, policy.retry_max_s)

    async def _release(self, pending: list[Outgoing]) -> None:
        async with self.pool.acquire() as conn:
            await sql.release(conn, [outgoing.id for outgoing in pending])
