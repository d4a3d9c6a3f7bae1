"""The accounts service's settings (env prefix ACCOUNTS_)."""

from __future__ import annotations

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

# OWASP's minimum for Argon2id: 19 MiB, two passes, one lane.
OWASP_MEMORY_KIB = 19 * 1024
OWASP_TIME_COST = 2


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ACCOUNTS_", extra="ignore", frozen=True)

    service_name: str = "accounts"
    http_port: int = 8081
    database_url: str = "postgresql://postgres@127.0.0.1:5432/accounts"

    # Ed25519 private key (PEM, PKCS#8) that signs the access tokens. Generated at start-up in
    # development and test; required in production (every replica must sign with the same key).
    signing_key: SecretStr | None = None
    # Defaults to the key's RFC 7638 thumbprint.
    signing_key_id: str | None = None
    # Public keys (a JWKS document) still accepted after a key rotation.
    previous_jwks: str | None = None
    access_token_ttl_s: int = 900
    session_ttl_s: int = 30 * 24 * 3600
    # A refresh token presented again within this long of its rotation is refused without
    # ending the login (two refreshes racing); later, reuse ends the login.
    refresh_reuse_grace_s: float = 10.0

    argon2_memory_kib: int = OWASP_MEMORY_KIB
    argon2_time_cost: int = OWASP_TIME_COST
    argon2_parallelism: int = 1
    # At most this many hashes at once: each holds `argon2_memory_kib` while it runs.
    argon2_concurrency: int = 2

    erase_interval_s: float = 300.0
    # Creation, new activation link and reset request answer no sooner than this, known email
    # or not (well above the few milliseconds of inserts a known email costs).
    answer_floor_ms: int = 150
    # Behind the gateway, the client address is the last X-Forwarded-For entry (the gateway's).
    trust_forwarded_for: bool = False

    @field_validator("signing_key", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # Compose passes an unset variable as an empty string.
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _production_needs_real_keys_and_hashes(self) -> Settings:
        if self.environment != "production":
            return self
        if self.signing_key is None:
            raise ValueError("signing_key is required in production (an Ed25519 PEM key)")
        if self.argon2_memory_kib < OWASP_MEMORY_KIB or self.argon2_time_cost < OWASP_TIME_COST:
            raise ValueError("Argon2id parameters are below the OWASP minimum")
        return self
