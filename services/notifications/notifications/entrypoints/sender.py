"""The sender loop: workers (one SMTP session each at a time) woken by LISTEN/NOTIFY when a
message is recorded, polling as a fallback and for retries coming due."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import asyncpg
from aiohttp import web

from notifications.adapters.messages_sql import NOTIFY_CHANNEL, held_by_leases
from notifications.adapters.smtp import SmtpConfig, SmtpMailer
from notifications.deps import CONFIG
from notifications.domain.mail import mailbox
from notifications.handlers.delivery import Courier, Pacer, Policy
from notifications.settings import Settings
from shared.db import DATABASE_UNREACHABLE, NotifyListener
from shared.http.keys import BACKGROUND, POOL
from shared.outages import DATABASE

log = logging.getLogger(__name__)

TASK_NAME = "email_sender"
# On shutdown, workers finish the message in hand; past this they are cancelled.
STOP_GRACE_S = 10.0
ERROR_PAUSE_S = 1.0


class SenderLoop:
    def __init__(
        self, courier: Courier, *, workers: int, listen_dsn: str, poll_interval_s: float
    ) -> None:
        self.courier = courier
        self.poll_interval_s = poll_interval_s
        self._wakes = [asyncio.Event() for _ in range(workers)]
        self._stop = asyncio.Event()
        self._listener = NotifyListener(listen_dsn, NOTIFY_CHANNEL, self._wake_all)

    async def run(self) -> None:
        await self._tell_held()
        workers = [asyncio.create_task(self._work(wake)) for wake in self._wakes]
        try:
            while not self._stop.is_set():
                await self._listener.ensure()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.poll_interval_s)
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            self._listener.close()

    async def _tell_held(self) -> None:
        """Emails a stopped sender had claimed wait for its lease: say so, once, at start."""
        try:
            async with self.courier.pool.acquire() as conn:
                held = await held_by_leases(conn)
        except DATABASE_UNREACHABLE as exc:
            DATABASE.failed(exc)
            return
        if held["held"]:
            log.warning(
                "emails held by a sender's lease (another replica, or one that stopped)",
                extra={"held": held["held"], "due_by": held["due_by"].isoformat()},
            )

    def stop(self) -> None:
        self._stop.set()
        self._wake_all()

    async def _work(self, wake: asyncio.Event) -> None:
        while not self._stop.is_set():
            wake.clear()
            try:
                claimed = await self.courier.deliver_due(self._stop.is_set)
            except DATABASE_UNREACHABLE as exc:  # reported once per outage
                DATABASE.failed(exc)
                await asyncio.sleep(ERROR_PAUSE_S)
                continue
            except Exception:  # a worker must outlive a database or SMTP hiccup
                log.exception("email delivery failed")
                await asyncio.sleep(ERROR_PAUSE_S)
                continue
            if not claimed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), self.poll_interval_s)

    def _wake_all(self, *_: object) -> None:
        for wake in self._wakes:
            wake.set()


def smtp_config(settings: Settings) -> SmtpConfig:
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=settings.smtp_security,
        username=settings.smtp_username,
        password=password,
        timeout_s=settings.smtp_timeout_s,
    )


def courier(pool: asyncpg.Pool, settings: Settings) -> Courier:
    return Courier(
        pool,
        SmtpMailer(smtp_config(settings)),
        sender=mailbox(settings.mail_from_address, settings.mail_from_name),
        pacer=Pacer(settings.smtp_max_messages_per_second),
        policy=Policy(
            batch_size=settings.sender_batch_size,
            lease_s=settings.sender_claim_lease_s,
            record_patience_s=settings.sender_record_patience_s,
            retry_initial_s=settings.retry_initial_delay_s,
            retry_max_s=settings.retry_max_delay_s,
        ),
    )


async def email_sender(app: web.Application) -> AsyncIterator[None]:
    """The cleanup context: started after the consumers, stopped before them."""
    settings = app[CONFIG]
    loop = SenderLoop(
        courier(app[POOL], settings),
        workers=settings.smtp_max_connections,
        listen_dsn=settings.database_url,
        poll_interval_s=settings.sender_poll_interval_s,
    )
    app[BACKGROUND][TASK_NAME] = task = asyncio.ensure_future(loop.run())
    yield
    app[BACKGROUND].pop(TASK_NAME)
    loop.stop()
    _, still_running = await asyncio.wait({task}, timeout=STOP_GRACE_S)
    for unfinished in still_running:
        unfinished.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await unfinished
