"""The service started against the test servers, and helpers to publish and read back."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient

from notifications.app import build_app
from notifications.settings import Settings
from shared.auth import Role
from shared.testing.helpers import wait_until
from shared.testing.service import ServiceUnderTest, Start, starter
from shared.testing.smtp import SmtpSink
from shared.testing.tokens import TestKeys

PORTAL = "https://portail.example.test"
Client = TestClient[web.Request, web.Application]


@pytest.fixture
def settings(service_settings: dict[str, Any], smtp: SmtpSink) -> Settings:
    return Settings(
        **service_settings,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_security="none",
        smtp_max_messages_per_second=0,
        portal_base_url=PORTAL,
        sender_poll_interval_s=0.2,
        retry_initial_delay_s=0.05,
        retry_max_delay_s=0.4,
    )


@pytest.fixture
def start(settings: Settings, serve: Callable[[web.Application], Awaitable[Client]]) -> Start:
    """`await start(smtp_port=…)`: one more replica of the service, its settings overridden."""
    return starter(build_app, settings, serve)


@pytest_asyncio.fixture(loop_scope="session")
async def service(start: Start) -> ServiceUnderTest:
    return await start()


async def mail_to(smtp: SmtpSink, address: str, count: int = 1) -> list[EmailMessage]:
    async def arrived() -> bool:
        return len(smtp.to(address)) >= count

    await wait_until(arrived)
    return smtp.to(address)


def text_part(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert isinstance(part, EmailMessage)
    content: str = part.get_content()
    return content


def html_part(message: EmailMessage) -> str:
    """The HTML part with its entities decoded, as a mail client shows it."""
    part = message.get_body(("html",))
    assert isinstance(part, EmailMessage)
    return html.unescape(part.get_content())


def in_both_parts(message: EmailMessage, *needles: str) -> None:
    text, page = text_part(message), html_part(message)
    for needle in needles:
        assert needle in text, f"{needle!r} not in the text part"
        assert needle in page, f"{needle!r} not in the HTML part"


def admin_headers(test_keys: TestKeys, role: Role = Role.ADMINISTRATEUR) -> dict[str, str]:
    return {"Authorization": f"Bearer {test_keys.token(role)}"}


async def recorded_as_sent(pool: asyncpg.Pool, address: str) -> bool:
    """The SMTP server has a message before its sender records it: wait for the record."""

    async def sent() -> bool:
        status = await pool.fetchval(
            "SELECT status FROM outgoing_messages WHERE recipient = $1", address
        )
        return bool(status == "sent")

    return await wait_until(sent)
