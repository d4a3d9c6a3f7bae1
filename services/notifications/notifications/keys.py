"""The service's own typed app keys."""

from __future__ import annotations

from aiohttp import web

from notifications.handlers.events import EmailRecorder
from notifications.settings import Settings

CONFIG = web.AppKey("notifications_settings", Settings)
RECORDER = web.AppKey("email_recorder", EmailRecorder)
