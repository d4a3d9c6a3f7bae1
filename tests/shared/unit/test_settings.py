from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from shared.settings import ServiceSettings, redact_dsn


class WithSecret(ServiceSettings):
    signing_key: SecretStr = SecretStr("changeme")


def test_dsn_passwords_are_hidden() -> None:
    assert redact_dsn("postgresql://app:s3cret@db:5432/x") == "postgresql://app:***@db:5432/x"
    assert redact_dsn("postgresql://app@db/x") == "postgresql://app@db/x"


def test_describe_hides_passwords_and_secrets() -> None:
    settings = WithSecret(database_url="postgresql://app:s3cret@db/x")
    described = settings.describe()
    assert described["database_url"] == "postgresql://app:***@db/x"
    assert described["signing_key"] == "***"
    assert "s3cret" not in repr(described)


def test_placeholders_are_accepted_in_development() -> None:
    assert WithSecret(environment="development").signing_key.get_secret_value() == "changeme"


@pytest.mark.parametrize(
    "overrides",
    [
        {"signing_key": "changeme"},
        {"signing_key": "a-real-key", "amqp_url": "amqp://app:changeme@mq/"},
    ],
)
def test_placeholders_are_refused_outside_development(overrides: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        WithSecret.model_validate({"environment": "production", **overrides})


def test_real_secrets_are_accepted_in_production() -> None:
    settings = WithSecret(
        environment="production",
        signing_key="a-real-key",
        amqp_url="amqp://app:Xk29-qq@mq/",
        database_url="postgresql://app:Xk29-qq@db/x",
    )
    assert settings.signing_key.get_secret_value() == "a-real-key"


def test_settings_come_from_the_service_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICE_HTTP_PORT", "9999")
    assert ServiceSettings().http_port == 9999
