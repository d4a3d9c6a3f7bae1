"""The registration service's settings (env prefix REGISTRATION_)."""

from __future__ import annotations

from pydantic import SecretStr
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
