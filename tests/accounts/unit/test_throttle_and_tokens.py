"""Login throttling delays, random tokens, and the settings' production guards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from accounts.adapters.signing import TokenSigner
from accounts.domain.throttle import EMAIL_RULE, MailRule, ThrottleRule, email_key
from accounts.domain.tokens import digest, new_token
from accounts.settings import Settings

RULE = ThrottleRule(3, timedelta(seconds=1), timedelta(minutes=15), timedelta(hours=1))
NOW = datetime(2027, 1, 1, tzinfo=UTC)


def test_the_first_failures_cost_nothing() -> None:
    assert RULE.blocked_until(2, NOW, NOW) is None


def test_each_further_failure_doubles_the_wait_up_to_a_cap() -> None:
    delays = [RULE.delay(failures) for failures in range(3, 20)]
    assert delays[:4] == [timedelta(seconds=s) for s in (1, 2, 4, 8)]
    assert max(delays) == timedelta(minutes=15)
    assert RULE.delay(10_000) == timedelta(minutes=15)


def test_a_wait_ends_and_old_failures_are_forgotten() -> None:
    assert RULE.blocked_until(5, NOW, NOW + timedelta(seconds=3)) == NOW + timedelta(seconds=4)
    assert RULE.blocked_until(5, NOW, NOW + timedelta(seconds=5)) is None
    assert RULE.blocked_until(50, NOW, NOW + timedelta(hours=1)) is None


def test_the_email_key_ignores_case_and_spaces() -> None:
    assert email_key(" Anne@Example.org") == email_key("anne@example.org")
    assert EMAIL_RULE.max_delay <= timedelta(minutes=15)


def test_tokens_are_random_and_long_and_kept_as_digests() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(token) >= 43 for token in tokens)  # 256 bits in base64url
    token = tokens.pop()
    assert digest(token) == digest(token) != token.encode()


def test_production_refuses_a_missing_signing_key() -> None:
    with pytest.raises(ValidationError, match="signing_key"):
        Settings(environment="production")


def test_production_refuses_argon2_below_the_owasp_minimum() -> None:
    with pytest.raises(ValidationError, match="OWASP"):
        Settings(
            environment="production",
            signing_key="-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----",
            argon2_memory_kib=1024,
        )


def test_a_blank_signing_key_counts_as_unset() -> None:
    assert Settings(signing_key="  ").signing_key is None
    with pytest.raises(ValidationError, match="signing_key"):
        Settings(environment="production", signing_key="")


def test_a_configured_signing_key_signs_and_its_public_half_is_published() -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    settings = Settings(environment="production", signing_key=pem.decode(), signing_key_id="k2")
    [key] = TokenSigner.from_settings(settings).jwks()["keys"]
    assert (key["kid"], key["crv"]) == ("k2", "Ed25519")
    assert "d" not in key


def test_the_mail_rule_allows_a_few_emails_then_waits_for_a_quiet_window() -> None:
    rule = MailRule(per_window=2, window=timedelta(hours=1))
    last = datetime(2027, 1, 10, 12, tzinfo=UTC)

    assert rule.allows(1, last, last)
    assert not rule.allows(2, last, last + timedelta(minutes=59))
    assert rule.allows(2, last, last + timedelta(hours=1))
