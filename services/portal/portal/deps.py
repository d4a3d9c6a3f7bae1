"""What the pages are given: the services' clients, the session codec, the settings."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from portal.adapters.backends import Backends
from portal.domain.session import SessionCodec
from portal.settings import Settings
from shared.clock import Clock


@dataclass(frozen=True)
class Deps:
    settings: Settings
    sessions: SessionCodec
    clock: Clock


DEPS = web.AppKey("portal_deps", Deps)
# Opened by the `http_client` cleanup context (one connection pool for every service).
BACKENDS = web.AppKey("portal_backends", Backends)
