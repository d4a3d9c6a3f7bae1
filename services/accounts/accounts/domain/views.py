"""What the service answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from shared.events.catalogue import Identite


class Accepted(BaseModel):
    """The same answer whatever the email: it never tells whether an account exists."""

    status: Literal["accepted"] = "accepted"
    detail: str


class Activated(BaseModel):
    account_id: uuid.UUID
    activated_at: datetime


class EmailChanged(BaseModel):
    account_id: uuid.UUID
    email: str


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


class Me(BaseModel):
    account_id: uuid.UUID
    email: str
    role: str
    academies: list[str]
    identite: Identite | None
    identity_locked: bool


class Staff(BaseModel):
    account_id: uuid.UUID
    email: str
    role: str
    display_name: str | None
    academies: list[str]


class IdentityAuditEntry(BaseModel):
    changed_by: uuid.UUID
    changed_by_role: str
    changed_at: datetime
    reason: str | None
    before: Identite | None
    after: Identite


class Announcement(BaseModel):
    id: uuid.UUID
    title: str
    body: str
    starts_at: datetime
    ends_at: datetime
