"""Single-use links and refresh tokens: random, and kept only as digests."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits; the issue asks for at least 128


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(token: str) -> bytes:
    """A fast hash is enough: the token is random, so there is nothing to guess from it."""
    return hashlib.sha256(token.encode()).digest()
