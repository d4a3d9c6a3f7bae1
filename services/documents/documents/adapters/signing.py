"""The Ed25519 keys of the documents' verification tokens: the signing key from the settings
(PEM or a base64 seed), its `kid` (RFC 7638 thumbprint) and the JWKS the service publishes
(the current key first, then earlier ones still trusted)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from pydantic import SecretStr

from documents.domain.verification import jwks

# Development and test only (production refuses to start without a key of its own): fixed, so
# a restarted service and its replicas verify each other's tokens; public, so they prove nothing.
DEVELOPMENT_SEED = hashlib.sha256(b"cyclades documents: development verification key").digest()


@dataclass(frozen=True)
class VerificationKeys:
    private_key: Ed25519PrivateKey
    kid: str
    jwks: dict[str, Any]


def load_keys(signing_key: SecretStr | None, previous_jwks: str | None = None) -> VerificationKeys:
    private_key = (
        parse_private_key(signing_key.get_secret_value())
        if signing_key is not None
        else Ed25519PrivateKey.from_private_bytes(DEVELOPMENT_SEED)
    )
    published = jwks(private_key.public_key())
    kid = published["keys"][0]["kid"]
    if previous_jwks:
        earlier = json.loads(previous_jwks).get("keys", [])
        published["keys"] += [key for key in earlier if key.get("kid") != kid]
    return VerificationKeys(private_key=private_key, kid=kid, jwks=published)


def parse_private_key(text: str) -> Ed25519PrivateKey:
    """A PEM (PKCS#8) Ed25519 key, or its 32-byte seed in base64 (standard or url-safe)."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the verification signing key is not an Ed25519 key")
        return key
    try:
        seed = base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("the verification signing key is neither PEM nor base64") from exc
    if len(seed) != 32:
        raise ValueError("a base64 Ed25519 seed is 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(seed)
