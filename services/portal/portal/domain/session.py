"""The candidate's session, kept in an encrypted cookie.

Fernet (from `cryptography`, already a dependency) is authenticated encryption (AES-128-CBC +
HMAC-SHA256) with a timestamp: the browser can neither read the tokens nor change them, and a
cookie older than the session's lifetime is refused on decryption. No session store to run;
aiohttp-session's EncryptedCookieStorage is this same construction behind another dependency.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field, replace
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

COOKIE_NAME = "cyclades_session"
# Refresh the access token a little before it expires, so a page never sends a dead one.
REFRESH_MARGIN_S = 30


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Session:
    csrf: str = field(default_factory=new_csrf_token)
    access_token: str | None = None
    refresh_token: str | None = None
    access_expires_at: float = 0.0
    email: str | None = None
    # The office a candidate contacts, once a candidature exists (shown at the top of pages).
    gestionnaire: dict[str, Any] | None = None
    flash: str | None = None
    # What was typed on a tab left by Précédent while it could not be saved (one tab, the
    # last): shown again when the candidate comes back to it. {"onglet": "<id>/<slug>", …}
    saisie: dict[str, Any] | None = None

    @property
    def signed_in(self) -> bool:
        return self.refresh_token is not None

    def needs_refresh(self, now: float) -> bool:
        return self.signed_in and now >= self.access_expires_at - REFRESH_MARGIN_S

    def with_tokens(self, pair: dict[str, Any], now: float) -> Session:
        return replace(
            self,
            access_token=str(pair["access_token"]),
            refresh_token=str(pair["refresh_token"]),
            access_expires_at=now + float(pair.get("expires_in", 0)),
        )

    def signed_out(self) -> Session:
        return Session(flash=self.flash)


class SessionCodec:
    def __init__(self, key: bytes, max_age_s: int) -> None:
        self._fernet = Fernet(key)
        self._max_age_s = max_age_s

    def encode(self, session: Session) -> str:
        data = json.dumps(session.__dict__, separators=(",", ":")).encode()
        return self._fernet.encrypt(data).decode("ascii")

    def decode(self, cookie: str | None, now: float | None = None) -> Session | None:
        """The session, or None for a missing, altered or expired cookie."""
        if not cookie:
            return None
        try:
            data = self._fernet.decrypt_at_time(
                cookie.encode("ascii"), self._max_age_s, int(now or time.time())
            )
            return Session(**json.loads(data))
        except (InvalidToken, ValueError, TypeError, UnicodeEncodeError):
            return None


def generate_key() -> bytes:
    return Fernet.generate_key()


def is_fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32
    except ValueError:
        return False
