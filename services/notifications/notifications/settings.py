"""The notifications service's settings (env prefix NOTIFICATIONS_)."""

from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.events.catalogue import DocumentKind
from shared.settings import ServiceSettings

SmtpSecurity = Literal["none", "starttls", "tls"]


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore", frozen=True)

    service_name: str = "notifications"
    http_port: int = 8085
    database_url: str = "postgresql://postgres@127.0.0.1:5432/notifications"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 587
    # "starttls" (port 587) upgrades a plain connection; "tls" (port 465) is implicit TLS.
    smtp_security: SmtpSecurity = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = 30.0
    smtp_max_connections: int = Field(default=4, ge=1, le=100)
    # Per replica; 0 means no limit.
    smtp_max_messages_per_second: float = Field(default=50.0, ge=0)

    mail_from_address: EmailStr = "ne-pas-repondre@cyclades.example.fr"
    mail_from_name: str = "CYCLADES"

    portal_base_url: str = "http://localhost:8080"
    notify_document_kinds: tuple[DocumentKind, ...] = (
        DocumentKind.CONVOCATION,
        DocumentKind.RELEVE_DE_NOTES,
    )

    # Messages sent over one SMTP connection before it is closed and a new batch is claimed.
    sender_batch_size: int = Field(default=20, ge=1, le=1000)
    sender_poll_interval_s: float = 1.0
    # A claimed message is due again after this long if its sender died before recording it;
    # renewed every third of it while the batch runs, so it need only cover a few seconds.
    sender_claim_lease_s: float = Field(default=30.0, ge=3)
    # How long the outcome of a send waits for the database to record it (then it is given up
    # and the message is sent again when its lease ends).
    sender_record_patience_s: float = Field(default=600.0, gt=0)
    # Bodies of sent emails (single-use links, personal data) are cleared after this.
    body_retention_days: int = Field(default=30, ge=1)
    retry_initial_delay_s: float = 30.0
    retry_max_delay_s: float = 3600.0
