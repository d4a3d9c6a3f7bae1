"""Test signing keys and access tokens (the real signing side lives in the accounts service)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.auth import Role


class TestKeys:
    __test__ = False  # not a test class for pytest

    def __init__(
        self, kid: str = "test-key", audience: str = "cyclades", issuer: str = "cyclades-accounts"
    ) -> None:
        self.kid = kid
        self.audience = audience
        self.issuer = issuer
        self.private_key = Ed25519PrivateKey.generate()
        public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(self.private_key.public_key()))
        self.jwks: dict[str, Any] = {"keys": [{**public, "kid": kid, "alg": "EdDSA", "use": "sig"}]}

    def claims(
        self,
        role: Role = Role.CANDIDAT,
        account_id: uuid.UUID | None = None,
        academies: Iterable[str] = (),
        lifetime: timedelta = timedelta(minutes=5),
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        return {
            "sub": str(account_id or uuid.uuid4()),
            "role": str(role),
            "academies": sorted(academies),
            "aud": self.audience,
            "iss": self.issuer,
            "iat": now,
            "exp": now + lifetime,
            "jti": str(uuid.uuid4()),
        }

    def sign(self, claims: dict[str, Any], **headers: Any) -> str:
        return jwt.encode(
            claims, self.private_key, algorithm="EdDSA", headers={"kid": self.kid, **headers}
        )

    def token(
        self,
        role: Role = Role.CANDIDAT,
        account_id: uuid.UUID | None = None,
        academies: Iterable[str] = (),
        **overrides: Any,
    ) -> str:
        return self.sign({**self.claims(role, account_id, academies), **overrides})
