"""What the handlers are given besides a connection: wired once by `app.bootstrap`."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from documents.adapters.signing import VerificationKeys
from documents.settings import Settings
from shared.bus.outbox import Outbox
from shared.clock import Clock


@dataclass(frozen=True)
class Deps:
    outbox: Outbox
    clock: Clock
    # Signs the verification token printed on every document (QR code); its JWKS is public.
    keys: VerificationKeys


DEPS = web.AppKey("documents_deps", Deps)
# The render worker reads its settings from here (the shared SETTINGS key is typed for the
# base settings only).
CONFIG = web.AppKey("documents_settings", Settings)
