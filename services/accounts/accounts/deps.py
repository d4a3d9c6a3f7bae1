"""What the handlers are given besides a connection: wired once in `app.py`, replaced in tests."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from accounts.adapters.hashing import PasswordHasher
from accounts.adapters.signing import TokenSigner
from accounts.domain.accounts import Lifetimes
from shared.bus.outbox import Outbox
from shared.clock import Clock


@dataclass(frozen=True)
class Deps:
    outbox: Outbox
    clock: Clock
    hasher: PasswordHasher
    signer: TokenSigner
    lifetimes: Lifetimes
    trust_forwarded_for: bool = False
    # The least time an answer that must not reveal an email takes (creation, links, reset).
    answer_floor_s: float = 0.0


DEPS = web.AppKey("accounts_deps", Deps)
