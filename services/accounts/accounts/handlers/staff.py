"""Staff accounts, identity corrections by gestionnaires, and home announcements.

Each handler runs in the one transaction its entrypoint opens; a staff member's password is
hashed before it (`entrypoints/http.py`), so that no pooled connection waits for Argon2.
"""

from __future__ import annotations

import uuid

import asyncpg

from accounts.adapters import accounts_sql, staff_sql
from accounts.deps import Deps
from accounts.domain.accounts import Account
from accounts.domain.errors import EmailTaken, NotFound, OutOfScope
from accounts.entrypoints.schemas import (
    Announcement,
    IdentityAuditEntry,
    IdentityCorrection,
    Me,
    NewAnnouncement,
    NewStaff,
    Staff,
)
from accounts.handlers.profile import change_identite, existing, me_of
from shared.auth import Principal, Role


def staff_of(account: Account) -> Staff:
    return Staff(
        account_id=account.id,
        email=account.email,
        role=str(account.role),
        display_name=account.display_name,
        academies=sorted(account.academies),
    )


async def create_staff(
    conn: asyncpg.Connection, command: NewStaff, deps: Deps, password_hash: str
) -> Staff:
    """Staff accounts are active at once; only an administrateur (or the CLI) creates them."""
    account_id = uuid.uuid4()
    inserted = await accounts_sql.insert_staff(
        conn,
        account_id=account_id,
        email=command.email,
        password_hash=password_hash,
        role=Role(command.role),
        academies=sorted(set(command.academies)),
        display_name=command.display_name,
        created_at=deps.clock.now(),
    )
    if not inserted:
        raise EmailTaken()
    return staff_of(await existing(conn, account_id))


async def list_staff(conn: asyncpg.Connection) -> list[Staff]:
    return [staff_of(account) for account in await accounts_sql.list_staff(conn)]


def ensure_in_scope(principal: Principal, account: Account) -> None:
    """A gestionnaire acts on a candidate of their académies: those of its candidatures."""
    if principal.role is Role.ADMINISTRATEUR:
        return
    if account.candidature_academies.isdisjoint(principal.academies):
        raise OutOfScope(principal, "This candidate has no candidature in your académies")


async def candidate_in_scope(
    conn: asyncpg.Connection, principal: Principal, account_id: uuid.UUID, *, lock: bool = False
) -> Account:
    account = await accounts_sql.by_id(conn, account_id, lock=lock)
    if account is None or account.role is not Role.CANDIDAT:
        raise NotFound("This candidate account does not exist")
    ensure_in_scope(principal, account)
    return account


async def correct_identite(
    conn: asyncpg.Connection,
    principal: Principal,
    account_id: uuid.UUID,
    command: IdentityCorrection,
    deps: Deps,
) -> Me:
    """Allowed after the identity lock: the gestionnaire's correction is audited with its reason."""
    account = await candidate_in_scope(conn, principal, account_id, lock=True)
    identite = command.identite.to_identite()
    await change_identite(conn, account, identite, principal, command.reason, deps)
    return me_of(await existing(conn, account_id))


async def identity_audit(
    conn: asyncpg.Connection, principal: Principal, account_id: uuid.UUID
) -> list[IdentityAuditEntry]:
    await candidate_in_scope(conn, principal, account_id)
    return await staff_sql.audit_of(conn, account_id)


async def publish_announcement(
    conn: asyncpg.Connection, principal: Principal, command: NewAnnouncement, deps: Deps
) -> Announcement:
    announcement = Announcement(id=uuid.uuid4(), **command.model_dump())
    await staff_sql.insert_announcement(conn, announcement, principal.account_id, deps.clock.now())
    return announcement


async def current_announcements(conn: asyncpg.Connection, deps: Deps) -> list[Announcement]:
    return await staff_sql.current_announcements(conn, deps.clock.now())
