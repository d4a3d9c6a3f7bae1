"""The uploads service's settings (env prefix UPLOADS_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.content import DEFAULT_MAX_PIXELS
from shared.storage import StorageSettings


class Settings(StorageSettings):
    model_config = SettingsConfigDict(env_prefix="UPLOADS_", extra="ignore", frozen=True)

    service_name: str = "uploads"
    http_port: int = 8084
    database_url: str = "postgresql://postgres@127.0.0.1:5432/uploads"

    s3_bucket: str = "pieces"

    # clamd: a unix socket's path (Debian's default below) or host:port (compose: clamav:3310).
    clamd_address: str = "/var/run/clamav/clamd.ctl"
    clamd_timeout_s: float = Field(default=60.0, gt=0)
    # Where an upload is spooled while it is counted, hashed and scanned (the system's temp
    # folder when unset): a disk, not memory.
    spool_dir: str | None = None
    # The image pixel budget of the content check (a decompression bomb is refused), and how
    # many checks run at once: a decoded image takes ~4 bytes a pixel (200 MB at the budget),
    # so the count, not the upload's size, bounds that memory.
    max_pixels: int = Field(default=DEFAULT_MAX_PIXELS, ge=1)
    content_checks: int = Field(default=2, ge=1, le=64)
    # A group's date limite until a gestionnaire sets one: this many days after the window
    # closes.
    default_deadline_days: int = Field(default=15, ge=0, le=366)
    # Current files a pièce holds at most (recto and verso of an identity card…).
    max_files_per_piece: int = Field(default=5, ge=1, le=50)
    # How often the objects of erased accounts' and purged sessions' files are removed.
    remove_objects_interval_s: float = Field(default=30.0, gt=0)
