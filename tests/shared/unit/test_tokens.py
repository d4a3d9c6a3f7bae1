"""Access-token verification refuses every token it should (each a 401)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

from shared.auth import CLOCK_SKEW_S, Role, StaticKeys, TokenVerifier
from shared.http.problems import ProblemError
from shared.testing.tokens import TestKeys

KEYS = TestKeys()
VERIFIER = TokenVerifier(StaticKeys(KEYS.jwks), audience=KEYS.audience, issuer=KEYS.issuer)


async def refused(token: str) -> ProblemError:
    with pytest.raises(ProblemError) as caught:
        await VERIFIER.verify(token)
    assert caught.value.status == 401
    return caught.value


async def test_a_valid_token_gives_its_principal() -> None:
    account_id = uuid.uuid4()
    token = KEYS.token(Role.GESTIONNAIRE, account_id, academies=["A01", "A25"])

    principal = await VERIFIER.verify(token)

    assert (principal.account_id, principal.role, principal.academies) == (
        account_id,
        Role.GESTIONNAIRE,
        frozenset({"A01", "A25"}),
    )
    assert principal.token_id is not None


async def test_an_expired_token_is_refused() -> None:
    problem = await refused(KEYS.sign(KEYS.claims(lifetime=timedelta(seconds=-(CLOCK_SKEW_S + 1)))))
    assert "expired" in (problem.detail or "")


async def test_a_token_just_past_its_expiry_is_accepted_within_the_clock_skew() -> None:
    await VERIFIER.verify(KEYS.sign(KEYS.claims(lifetime=timedelta(seconds=-5))))


async def test_alg_none_is_refused() -> None:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "kid": KEYS.kid}).encode())
    claims = base64.urlsafe_b64encode(json.dumps(KEYS.claims(), default=str).encode())
    await refused(f"{header.decode().rstrip('=')}.{claims.decode().rstrip('=')}.")


async def test_a_symmetric_algorithm_keyed_with_the_public_key_is_refused() -> None:
    public_key = KEYS.jwks["keys"][0]["x"].encode()
    signing_input = ".".join(
        _b64(json.dumps(part, default=str).encode())
        for part in ({"alg": "HS256", "kid": KEYS.kid}, KEYS.claims())
    )
    signature = hmac.new(public_key, signing_input.encode(), hashlib.sha256).digest()
    await refused(f"{signing_input}.{_b64(signature)}")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_a_token_signed_with_another_allowed_algorithm_and_key_is_refused() -> None:
    other = generate_private_key(SECP256R1())
    token = jwt.encode(KEYS.claims(), other, algorithm="ES256", headers={"kid": KEYS.kid})
    await refused(token)


async def test_a_token_for_another_audience_is_refused() -> None:
    await refused(KEYS.token(aud="another-platform"))


async def test_a_tampered_token_is_refused() -> None:
    header, claims, signature = KEYS.token(Role.CANDIDAT).split(".")
    padded = claims + "=" * (-len(claims) % 4)
    forged = json.loads(base64.urlsafe_b64decode(padded))
    forged["role"] = "administrateur"
    forged_claims = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
    await refused(f"{header}.{forged_claims}.{signature}")


async def test_a_token_signed_by_an_unknown_key_is_refused() -> None:
    stranger = TestKeys(kid=KEYS.kid)
    await refused(stranger.token())


async def test_garbage_and_missing_claims_are_refused() -> None:
    await refused("not-a-token")
    claims = KEYS.claims()
    del claims["jti"]
    await refused(KEYS.sign(claims))
    await refused(KEYS.sign({**KEYS.claims(), "role": "superuser"}))
