"""What the handlers are given besides a connection: wired once in `app.py`, replaced in tests."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from shared.bus.outbox import Outbox
from shared.clock import Clock
from shared.http.read_cache import ReadCache


@dataclass(frozen=True)
class Deps:
    outbox: Outbox
    clock: Clock
    # Public référentiel reads, kept a few seconds in the process; cleared by a change.
    read_cache: ReadCache
    # The key of the back office's search cursors (settings.search_cursor_secret).
    cursor_key: bytes = b""


DEPS = web.AppKey("registration_deps", Deps)
