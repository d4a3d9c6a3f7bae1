"""The portal's settings (env prefix `PORTAL_`): where the services answer, the session key."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from portal.domain.session import is_fernet_key
from shared.settings import PLACEHOLDER_SECRETS, ServiceSettings

# `npm ci` in services/portal/ puts the design system here (Makefile's install target).
DEFAULT_ASSETS = Path(__file__).resolve().parent.parent / "node_modules"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore", frozen=True)

    service_name: str = "portal"
    http_port: int = 8086
    # The services' public HTTP APIs (the gateway's prefixes, or each service directly).
    accounts_url: str = "http://127.0.0.1:8081"
    registration_url: str = "http://127.0.0.1:8082"
    documents_url: str = "http://127.0.0.1:8083"
    uploads_url: str = "http://127.0.0.1:8084"
    backend_timeout_s: float = 10.0
    # Behind the gateway: the browser's address is the last X-Forwarded-For entry (the one the
    # gateway adds); it is passed on to the services (accounts throttles logins per client).
    trust_forwarded_for: bool = False
    # A Fernet key (`Fernet.generate_key()`): encrypts and authenticates the session cookie.
    # Unset in development, each process draws one (sessions die with it; replicas disagree).
    session_key: SecretStr | None = None
    # Off only for local http (run_local.py): a Secure cookie is never sent over plain http.
    cookie_secure: bool = True
    # A session cookie older than this is refused (the candidate logs in again).
    session_max_age_s: int = 12 * 3600
    # The node_modules folder holding @gouvfr/dsfr (and axe-core for the browser tests).
    assets_dir: Path = DEFAULT_ASSETS
    # The référentiel and the announcements are the same for everyone: each process keeps
    # them this long (a change shows on the portal within it).
    public_cache_ttl_s: float = 30.0
    # Largest file the Ajouter form takes (the uploads service enforces its own limit).
    max_upload_bytes: int = 10 * 1024 * 1024

    @field_validator("session_key")
    @classmethod
    def _a_fernet_key(cls, value: SecretStr | None) -> SecretStr | None:
        key = value.get_secret_value() if value is not None else None
        # A placeholder is left to the base class's check, which names it as such.
        if key and not is_fernet_key(key) and key.strip().lower() not in PLACEHOLDER_SECRETS:
            raise ValueError("PORTAL_SESSION_KEY must be a Fernet key (Fernet.generate_key())")
        return value

    def _secrets(self) -> dict[str, str]:
        secrets = super()._secrets()
        if self.environment != "development":
            key = self.session_key.get_secret_value() if self.session_key else ""
            secrets["session_key"] = key
        return secrets
