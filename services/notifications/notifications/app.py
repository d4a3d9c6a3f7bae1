"""Wiring of the notifications service."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from notifications.domain.rendering import Renderer
from notifications.entrypoints.consumers import subscriptions
from notifications.entrypoints.http import api
from notifications.entrypoints.sender import email_sender
from notifications.handlers.events import EmailRecorder
from notifications.keys import CONFIG, RECORDER
from notifications.settings import Settings
from shared.http.app import create_app
from shared.service import broker, consumers, database, token_verifier

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def build_app(settings: Settings | None = None) -> web.Application:
    settings = settings or Settings()
    app = create_app(
        settings,
        api,
        title="notifications",
        contexts=[
            database(MIGRATIONS),
            broker,
            token_verifier(),
            consumers(subscriptions),
            email_sender,
        ],
    )
    app[CONFIG] = settings
    app[RECORDER] = EmailRecorder(Renderer(), settings.mail_from_address)
    return app
