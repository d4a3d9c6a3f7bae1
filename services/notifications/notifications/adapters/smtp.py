"""Sending over SMTP with aiosmtplib: one connection per batch, each answer made an Attempt."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

from notifications.domain.delivery import Attempt, Outcome, outcome_of_code

MAX_DETAIL = 500


class SmtpUnavailable(Exception):
    """No session could be opened: the server is down, refuses us, or TLS/login failed."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # "none", "starttls" or "tls"
    username: str | None
    password: str | None
    timeout_s: float


class SmtpSession:
    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self._client = client

    async def send(self, message: EmailMessage, sender: str, recipient: str) -> Attempt:
        try:
            errors, reply = await self._client.send_message(
                message, sender=sender, recipients=[recipient]
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return _refused_recipient(exc)
        except aiosmtplib.SMTPResponseException as exc:
            return _answered(exc.code, exc.message)
        except aiosmtplib.SMTPNotSupported as exc:
            # Raised before any command (a non-ASCII address and no SMTPUTF8): the message can
            # never go through this server, and the connection is still good for the next one.
            return Attempt(Outcome.REFUSED, None, _detail(f"not supported by the server: {exc}"))
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return Attempt(Outcome.DEFERRED, None, _detail(repr(exc)), connection_lost=True)
        if recipient in errors:
            return _answered(errors[recipient].code, errors[recipient].message)
        return Attempt(Outcome.DELIVERED, 250, _detail(reply))


def _refused_recipient(exc: aiosmtplib.SMTPRecipientsRefused) -> Attempt:
    refusal = exc.recipients[0]
    return _answered(refusal.code, refusal.message)


def _answered(code: int, message: str) -> Attempt:
    return Attempt(outcome_of_code(code), code, _detail(f"{code} {message}"))


def _detail(text: str) -> str:
    return text[:MAX_DETAIL]


class SmtpMailer:
    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def _client(self) -> aiosmtplib.SMTP:
        config = self.config
        return aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            use_tls=config.security == "tls",
            start_tls=config.security == "starttls",
            username=config.username,
            password=config.password,
            timeout=config.timeout_s,
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[SmtpSession]:
        client = self._client()
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise SmtpUnavailable(_detail(repr(exc))) from exc
        try:
            yield SmtpSession(client)
        finally:
            await _quit(client)


async def _quit(client: aiosmtplib.SMTP) -> None:
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        client.close()
