"""Settings base: one pydantic-settings class per service, each with its own env prefix."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]

PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "change_me", "placeholder", "secret", "password", "todo", "xxx"}
)


def redact_dsn(dsn: str) -> str:
    """The DSN with its password replaced by `***`, safe to print."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def dsn_password(dsn: str) -> str | None:
    return urlsplit(dsn).password


class ServiceSettings(BaseSettings):
    """What every service needs; a service subclasses it and sets `env_prefix`.

    Fields ending in `_url` are DSNs (their passwords are hidden in `describe()`); `SecretStr`
    fields and DSN passwords are refused when left at a placeholder outside development.
    """

    model_config = SettingsConfigDict(env_prefix="SERVICE_", extra="ignore", frozen=True)

    service_name: str = "service"
    environment: Environment = "development"
    log_level: str = "INFO"

    http_host: str = "0.0.0.0"
    http_port: int = 8080
    max_body_bytes: int = 1024 * 1024

    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    db_pool_min: int = 2
    db_pool_max: int = 10
    db_statement_timeout_ms: int = 15_000
    db_lock_timeout_ms: int = 5_000
    db_idle_in_transaction_timeout_ms: int = 60_000

    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    events_exchange: str = "cyclades.events"
    # Queues are named `<queue_prefix or service_name>.<purpose>`; tests set a unique prefix.
    queue_prefix: str = ""
    outbox_poll_interval_s: float = 1.0
    outbox_batch_size: int = 200
    outbox_retention_days: int = 7
    consumer_prefetch: int = 32
    consumer_retry_delays_s: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0, 600.0)

    jwt_audience: str = "cyclades"
    jwt_issuer: str = "cyclades-accounts"
    # A JWKS document (JSON) given inline, or the URL of the accounts service's JWKS endpoint.
    jwt_jwks: str | None = None
    jwt_jwks_url: str | None = None

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> ServiceSettings:
        if self.environment == "development":
            return self
        for name, value in self._secrets().items():
            if value.strip().lower() in PLACEHOLDER_SECRETS:
                raise ValueError(f"{name} is left at a placeholder; set a real secret")
        return self

    def _secrets(self) -> dict[str, str]:
        secrets: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                secrets[name] = value.get_secret_value()
            elif name.endswith("_url") and isinstance(value, str):
                password = dsn_password(value)
                if password is not None:
                    secrets[f"{name} password"] = password
        return secrets

    def queue(self, purpose: str) -> str:
        return f"{self.queue_prefix or self.service_name}.{purpose}"

    def describe(self) -> dict[str, Any]:
        """The settings as printable values: DSN passwords hidden, secrets masked."""
        described: dict[str, Any] = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                described[name] = "***"
            elif name.endswith("_url") and isinstance(value, str):
                described[name] = redact_dsn(value)
            else:
                described[name] = value
        return described
