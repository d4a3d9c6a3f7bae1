"""The registration service's settings (env prefix REGISTRATION_)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRATION_", extra="ignore", frozen=True)

    service_name: str = "registration"
    http_port: int = 8082
    database_url: str = "postgresql://postgres@127.0.0.1:5432/registration"
    # How long another replica may serve a public référentiel read after a change (seconds).
    public_cache_ttl_s: float = 5.0
    # Signs the back office's search cursors (HMAC-SHA256). Unset, each process draws its own
    # key at start-up: cursors then hold only on the replica that issued them.
    search_cursor_secret: SecretStr | None = None
    # Retention (handlers/retention.py): candidatures are anonymised this many days after their
    # session's last window closed; the job runs every `retention_interval_s`, at most
    # `retention_max_batches` batches of `retention_batch_size` candidatures a run.
    retention_days: int = Field(default=365, ge=0)
    retention_interval_s: float = Field(default=3600.0, gt=0)
    retention_batch_size: int = Field(default=1000, ge=1, le=10_000)
    retention_max_batches: int = Field(default=20, ge=1)
