"""Every HTTP request and response model of the accounts service: each body parsed once,
unknown fields refused, every error named; the answers never tell whether an account exists."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from accounts.domain.identite import IdentiteInput, Text
from accounts.domain.passwords import MAX_LENGTH, NewPassword
from shared.events.catalogue import Identite
from shared.types import Instant

Email = Annotated[EmailStr, Field(max_length=254)]
# Checked against a stored hash, never against the rule (which may have changed since).
GivenPassword = Annotated[str, Field(min_length=1, max_length=MAX_LENGTH * 4)]
Token = Annotated[str, Field(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
AcademieCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,30}$")]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NewAccount(Command):
    email: Email
    password: NewPassword
    identite: IdentiteInput


class TokenGiven(Command):
    token: Token


class EmailGiven(Command):
    email: Email


class Credentials(Command):
    email: Email
    password: GivenPassword


class RefreshTokenGiven(Command):
    refresh_token: Token


class EmailChange(Command):
    new_email: Email
    password: GivenPassword


class PasswordChange(Command):
    current_password: GivenPassword
    new_password: NewPassword


class PasswordReset(Command):
    token: Token
    new_password: NewPassword


class NewStaff(Command):
    email: Email
    password: NewPassword
    role: Literal["gestionnaire", "administrateur"]
    display_name: Text
    academies: list[AcademieCode] = Field(default_factory=list, max_length=50)


class IdentityCorrection(Command):
    identite: IdentiteInput
    reason: Annotated[Text, Field(max_length=500)]


class NewAnnouncement(Command):
    title: Annotated[Text, Field(max_length=200)]
    body: Annotated[str, Field(min_length=1, max_length=5000)]
    starts_at: Instant
    ends_at: Instant

    @field_validator("ends_at")
    @classmethod
    def _after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        starts_at = info.data.get("starts_at")
        if starts_at is not None and value <= starts_at:
            raise PydanticCustomError("window", "ends_at must come after starts_at")
        return value


# --- answers ---------------------------------------------------------------------------------


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
