"""An account as the handlers see it, and the lifetimes and limits they apply."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from shared.auth import Role
from shared.events.catalogue import Identite


class Status(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"


class TokenPurpose(StrEnum):
    ACTIVATION = "activation"
    PASSWORD_RESET = "password_reset"
    EMAIL_CHANGE = "email_change"


@dataclass(frozen=True)
class Account:
    id: uuid.UUID
    email: str
    password_hash: str
    role: Role
    academies: frozenset[str]
    status: Status
    identite: Identite | None
    identity_locked: bool
    candidature_academies: frozenset[str]
    display_name: str | None

    @property
    def is_active(self) -> bool:
        return self.status is Status.ACTIVE


@dataclass(frozen=True)
class StoredCredentials:
    account_id: uuid.UUID
    password_hash: str
    status: Status


@dataclass(frozen=True)
class Lifetimes:
    # The guide: "valider mon compte dans les 48 heures suivant sa création".
    activation: timedelta = timedelta(hours=48)
    password_reset: timedelta = timedelta(hours=1)
    email_change: timedelta = timedelta(hours=48)
    access_token: timedelta = timedelta(minutes=15)
    login: timedelta = timedelta(days=30)
    # A refresh token presented again this soon after its rotation is a race between two
    # requests of the holder (two tabs), not a theft: refused, but the login stays.
    refresh_reuse_grace: timedelta = timedelta(seconds=10)

    def of(self, purpose: TokenPurpose) -> timedelta:
        return {
            TokenPurpose.ACTIVATION: self.activation,
            TokenPurpose.PASSWORD_RESET: self.password_reset,
            TokenPurpose.EMAIL_CHANGE: self.email_change,
        }[purpose]
