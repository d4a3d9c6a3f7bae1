"""The admin API's request and response models (the adapter's rows are not served as is)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class MessageSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipient: str | None = Field(default=None, max_length=320)
    event_id: uuid.UUID | None = None
    status: Literal["pending", "sent", "failed"] | None = None
    limit: int = Field(default=100, ge=1, le=1000)


class MessageSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: uuid.UUID
    event_type: str
    template: str
    recipient: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    body_purged_at: datetime | None = None


class LogEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    outcome: str
    smtp_code: int | None
    detail: str | None


class MessageDetail(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    message: MessageSummary
    log: list[LogEntry]
