"""The documents service's settings (env prefix DOCUMENTS_)."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from shared.storage import StorageSettings


class Settings(StorageSettings):
    model_config = SettingsConfigDict(env_prefix="DOCUMENTS_", extra="ignore", frozen=True)

    service_name: str = "documents"
    http_port: int = 8083
    database_url: str = "postgresql://postgres@127.0.0.1:5432/documents"

    s3_bucket: str = "documents"

    # The render worker: jobs claimed per round, how long a claim holds (a crashed worker's
    # jobs are due again after it), polling, and the delays after a failed render or put.
    render_batch_size: int = Field(default=8, ge=1, le=1000)
    render_poll_interval_s: float = Field(default=1.0, gt=0)
    # Renewed every third of itself while a batch renders (a slow render is never done twice);
    # a crashed worker's jobs are due again within it.
    render_lease_s: float = Field(default=30.0, ge=1)
    render_retry_initial_s: float = Field(default=5.0, gt=0)
    render_retry_max_s: float = Field(default=600.0, gt=0)
    # Rendering is CPU work: it runs in a process pool of this many workers (0: in a thread).
    render_processes: int = Field(default=1, ge=0, le=64)

    # Documents published by gestionnaires: the largest PDF upload (refused with a 413 as soon
    # as it is known to be larger, before it is all read); the generation worker's process
    # pool (0: a thread), claims, lease, retries, and how many failed renders fail an item;
    # how long an object put before its transaction may stay unrecorded before it is removed.
    gestion_upload_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    gestion_processes: int = Field(default=1, ge=0, le=64)
    gestion_batch_size: int = Field(default=8, ge=1, le=1000)
    gestion_lease_s: float = Field(default=120.0, ge=1)
    gestion_retry_initial_s: float = Field(default=5.0, gt=0)
    gestion_retry_max_s: float = Field(default=600.0, gt=0)
    gestion_max_render_attempts: int = Field(default=5, ge=1)
    gestion_orphan_after_s: float = Field(default=3600.0, gt=0)

    # A job whose render (or record) fails this many times is marked `failed`, listed by
    # `GET /api/v1/admin/render-jobs` and retried by hand; an S3 outage never counts.
    render_max_attempts: int = Field(default=8, ge=1, le=1000)

    # Ed25519 private key signing the documents' verification tokens (QR codes): PEM (PKCS#8)
    # or the raw 32-byte seed in base64. Unset in development and test: a fixed, public
    # development key (its tokens prove nothing); required in production, the same for every
    # replica. Its public key is published at `GET /api/v1/verification/jwks.json`.
    verification_signing_key: SecretStr | None = None
    # Public keys of earlier signing keys (a JWKS document), still published after a
    # rotation: a printed document outlives the key that signed it.
    verification_previous_jwks: str | None = None

    # Formulaires (PDF forms an administrateur offers for an examen): the largest accepted.
    formulaire_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)

    @field_validator("verification_signing_key", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # Compose passes an unset variable as an empty string.
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _production_needs_a_signing_key(self) -> Settings:
        if self.environment == "production" and self.verification_signing_key is None:
            raise ValueError("verification_signing_key is required in production (Ed25519)")
        return self
