"""Signing access tokens (EdDSA) and publishing the public keys as a JWKS."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from accounts.domain.accounts import Account
from accounts.settings import Settings


class TokenSigner:
    def __init__(
        self,
        private_key: Ed25519PrivateKey,
        *,
        kid: str,
        issuer: str,
        audience: str,
        lifetime: timedelta,
        previous_keys: list[dict[str, Any]] | None = None,
    ) -> None:
        self._private_key = private_key
        self.kid = kid
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        self._previous_keys = previous_keys or []

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenSigner:
        previous = json.loads(settings.previous_jwks)["keys"] if settings.previous_jwks else []
        key = load_signing_key(settings)
        return cls(
            key,
            kid=settings.signing_key_id or key_thumbprint(key),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            lifetime=timedelta(seconds=settings.access_token_ttl_s),
            previous_keys=previous,
        )

    def sign(self, account: Account, login_id: uuid.UUID) -> str:
        # The wall clock, not the handlers' clock: other services check `exp` and `iat` by it.
        now = datetime.now(UTC)
        claims = {
            "sub": str(account.id),
            "role": str(account.role),
            "academies": sorted(account.academies),
            "aud": self.audience,
            "iss": self.issuer,
            "iat": now,
            "exp": now + self.lifetime,
            "jti": str(uuid.uuid4()),
            "sid": str(login_id),
        }
        return jwt.encode(claims, self._private_key, algorithm="EdDSA", headers={"kid": self.kid})

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(self._private_key.public_key()))
        current = {**public, "kid": self.kid, "alg": "EdDSA", "use": "sig"}
        return {"keys": [current, *self._previous_keys]}


def key_thumbprint(key: Ed25519PrivateKey) -> str:
    """The RFC 7638 thumbprint of the public key: a key id that changes with the key, so the
    other services fetch the JWKS again when a development key is generated anew."""
    public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
    canonical = json.dumps(
        {name: public[name] for name in ("crv", "kty", "x")},
        separators=(",", ":"),
        sort_keys=True,
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def load_signing_key(settings: Settings) -> Ed25519PrivateKey:
    if settings.signing_key is None:
        # Only outside production (the settings refuse a missing key there).
        return Ed25519PrivateKey.generate()
    key = load_pem_private_key(settings.signing_key.get_secret_value().encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("signing_key must be an Ed25519 private key")
    return key
