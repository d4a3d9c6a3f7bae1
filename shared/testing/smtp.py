"""An SMTP server for tests: aiosmtpd in a thread, keeping what it receives."""

from __future__ import annotations

import asyncio
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from shared.testing.infrastructure import free_port


class _Keeper:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.sink.refused:
            return "550 5.1.1 mailbox unavailable"
        tries = self.sink.tries[address] = self.sink.tries.get(address, 0) + 1
        if tries <= self.sink.greylist:
            return "451 4.7.1 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self.sink.lock:
            self.sink.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"


class SmtpSink:
    """Receives mail on 127.0.0.1:`port`; can be stopped and started again on the same port
    (an outage), told to refuse some recipients permanently (a 5xx), to answer 451 to the
    first `greylist` tries of each recipient, or not to offer SMTPUTF8."""

    def __init__(
        self, port: int | None = None, *, greylist: int = 0, smtputf8: bool = True
    ) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.greylist = greylist
        self.smtputf8 = smtputf8
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.refused: set[str] = set()
        self.tries: dict[str, int] = {}
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(
            _Keeper(self), hostname=self.host, port=self.port, enable_SMTPUTF8=self.smtputf8
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def clear(self) -> None:
        with self.lock:
            self.received.clear()
        self.refused.clear()
        self.tries.clear()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [message for _, message in self.received]

    @property
    def recipients(self) -> list[str]:
        with self.lock:
            return [address for rcpts, _ in self.received for address in rcpts]

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [message for rcpts, message in self.received if address in rcpts]

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages, once at least `count` have arrived (or the timeout has passed)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return self.messages
