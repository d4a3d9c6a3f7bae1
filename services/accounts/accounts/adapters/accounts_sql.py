"""SQL on the accounts table."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from accounts.domain.accounts import Account, Status, StoredCredentials
from shared.auth import Role
from shared.events.catalogue import Identite

COLUMNS = """id, email, password_hash, role, academies, status, identite, display_name,
             identity_locked_at IS NOT NULL AS identity_locked, candidature_academies"""


def to_account(row: asyncpg.Record) -> Account:
    identite = row["identite"]
    return Account(
        id=row["id"],
        email=row["email"],
        password_hash=row["password_hash"],
        role=Role(row["role"]),
        academies=frozenset(row["academies"]),
        status=Status(row["status"]),
        identite=Identite.model_validate(identite) if identite is not None else None,
        identity_locked=row["identity_locked"],
        candidature_academies=frozenset(row["candidature_academies"]),
        display_name=row["display_name"],
    )


async def insert_candidate(
    conn: asyncpg.Connection,
    *,
    account_id: uuid.UUID,
    email: str,
    password_hash: str,
    identite: Identite,
    created_at: datetime,
    pending_until: datetime,
) -> bool:
    """False when the email is taken (a concurrent insert waits for the other to commit)."""
    inserted = await conn.fetchval(
        """INSERT INTO accounts (id, email, password_hash, role, status, identite, created_at,
                                 pending_until)
           VALUES ($1, $2, $3, 'candidat', 'pending', $4, $5, $6)
           ON CONFLICT DO NOTHING RETURNING true""",
        account_id,
        email,
        password_hash,
        identite.model_dump(mode="json"),
        created_at,
        pending_until,
    )
    return bool(inserted)


async def insert_staff(
    conn: asyncpg.Connection,
    *,
    account_id: uuid.UUID,
    email: str,
    password_hash: str,
    role: Role,
    academies: list[str],
    display_name: str,
    created_at: datetime,
) -> bool:
    inserted = await conn.fetchval(
        """INSERT INTO accounts (id, email, password_hash, role, academies, status, display_name,
                                 created_at, activated_at)
           VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $7)
           ON CONFLICT DO NOTHING RETURNING true""",
        account_id,
        email,
        password_hash,
        str(role),
        academies,
        display_name,
        created_at,
    )
    return bool(inserted)


async def by_email(conn: asyncpg.Connection, email: str, *, lock: bool = False) -> Account | None:
    row = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM accounts WHERE lower(email) = lower($1) {_locking(lock)}", email
    )
    return to_account(row) if row is not None else None


async def credentials(conn: asyncpg.Connection, email: str) -> StoredCredentials | None:
    """Just what a login checks: parsing a whole account would make known emails slower."""
    row = await conn.fetchrow(
        "SELECT id, password_hash, status FROM accounts WHERE lower(email) = lower($1)", email
    )
    if row is None:
        return None
    return StoredCredentials(row["id"], row["password_hash"], Status(row["status"]))


async def by_id(
    conn: asyncpg.Connection, account_id: uuid.UUID, *, lock: bool = False
) -> Account | None:
    row = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM accounts WHERE id = $1 {_locking(lock)}", account_id
    )
    return to_account(row) if row is not None else None


def _locking(lock: bool) -> str:
    return "FOR UPDATE" if lock else ""


async def activate(conn: asyncpg.Connection, account_id: uuid.UUID, at: datetime) -> bool:
    updated = await conn.fetchval(
        """UPDATE accounts SET status = 'active', activated_at = $2, pending_until = NULL
           WHERE id = $1 AND status = 'pending' RETURNING true""",
        account_id,
        at,
    )
    return bool(updated)


async def extend_pending(conn: asyncpg.Connection, account_id: uuid.UUID, until: datetime) -> None:
    await conn.execute(
        "UPDATE accounts SET pending_until = $2 WHERE id = $1 AND status = 'pending'",
        account_id,
        until,
    )


async def set_identite(conn: asyncpg.Connection, account_id: uuid.UUID, identite: Identite) -> None:
    await conn.execute(
        "UPDATE accounts SET identite = $2 WHERE id = $1",
        account_id,
        identite.model_dump(mode="json"),
    )


async def set_email(conn: asyncpg.Connection, account_id: uuid.UUID, email: str) -> bool:
    """False when another account has taken the email in the meantime."""
    try:
        async with conn.transaction():
            await conn.execute("UPDATE accounts SET email = $2 WHERE id = $1", account_id, email)
    except asyncpg.UniqueViolationError:
        return False
    return True


async def set_password_hash(conn: asyncpg.Connection, account_id: uuid.UUID, hashed: str) -> None:
    await conn.execute("UPDATE accounts SET password_hash = $2 WHERE id = $1", account_id, hashed)


async def lock_identity(
    conn: asyncpg.Connection, account_id: uuid.UUID, at: datetime, academie: str
) -> bool:
    updated = await conn.fetchval(
        """UPDATE accounts
           SET identity_locked_at = coalesce(identity_locked_at, $2),
               candidature_academies = ARRAY(
                   SELECT DISTINCT unnest(candidature_academies || $3::text))
           WHERE id = $1 RETURNING true""",
        account_id,
        at,
        academie,
    )
    return bool(updated)


async def erase_expired_pending(conn: asyncpg.Connection, now: datetime) -> list[uuid.UUID]:
    """Pending accounts whose activation window is over, with their tokens (cascade)."""
    rows = await conn.fetch(
        """DELETE FROM accounts WHERE status = 'pending' AND pending_until <= $1 RETURNING id""",
        now,
    )
    return [row["id"] for row in rows]


async def erase_expired_pending_with_email(
    conn: asyncpg.Connection, email: str, now: datetime
) -> uuid.UUID | None:
    """The pending account of this email if its activation window is over, with its tokens
    (cascade): what the periodic job would erase, erased now."""
    erased: uuid.UUID | None = await conn.fetchval(
        """DELETE FROM accounts
           WHERE lower(email) = lower($1) AND status = 'pending' AND pending_until <= $2
           RETURNING id""",
        email,
        now,
    )
    return erased


async def is_live_pending(conn: asyncpg.Connection, account_id: uuid.UUID, now: datetime) -> bool:
    """Pending and still within its activation window."""
    live = await conn.fetchval(
        """SELECT true FROM accounts
           WHERE id = $1 AND status = 'pending' AND pending_until > $2""",
        account_id,
        now,
    )
    return bool(live)


async def list_staff(conn: asyncpg.Connection) -> list[Account]:
    rows = await conn.fetch(
        f"SELECT {COLUMNS} FROM accounts WHERE role <> 'candidat' ORDER BY lower(email)"
    )
    return [to_account(row) for row in rows]
