"""The documents service's settings (env prefix DOCUMENTS_)."""

from __future__ import annotations

from pydantic import Field
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
    render_lease_s: float = Field(default=120.0, ge=1)
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
