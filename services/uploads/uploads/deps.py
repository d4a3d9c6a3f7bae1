"""What the handlers are given besides a connection: wired once by `app.bootstrap`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from shared.bus.outbox import Outbox
from shared.clock import Clock
from uploads.adapters.clamd import Clamd


@dataclass(frozen=True)
class Deps:
    outbox: Outbox
    clock: Clock
    scanner: Clamd
    spool_dir: Path | None
    max_pixels: int
    # Content checks (an image decode) running at once.
    content_checks: asyncio.Semaphore
    default_deadline_days: int
    max_files_per_piece: int


DEPS = web.AppKey("uploads_deps", Deps)
