"""What the handlers are given besides a connection: wired once by `app.bootstrap`."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from notifications.domain.emails import Mailbook
from notifications.domain.rendering import Renderer
from notifications.settings import Settings
from shared.bus.outbox import Outbox
from shared.clock import Clock


@dataclass(frozen=True)
class Deps:
    # The service publishes no event of its own; a dead letter's replay goes through it.
    outbox: Outbox
    clock: Clock
    mailbook: Mailbook
    renderer: Renderer
    # Message-IDs are made on the sender's domain.
    mail_from_address: str


DEPS = web.AppKey("notifications_deps", Deps)
# The email sender reads its SMTP and pacing settings from here (the shared SETTINGS key is
# typed for the base settings only).
CONFIG = web.AppKey("notifications_settings", Settings)
