"""SQL on failed-login counters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg


@dataclass(frozen=True)
class Failures:
    key: str
    failures: int
    last_failure_at: datetime


async def failures(
    conn: asyncpg.Connection, keys: list[str], *, lock: bool = False
) -> list[Failures]:
    """With `lock`, missing counters are created at zero (which blocks nothing) and every
    counter is locked until the transaction ends, in key order (bytewise, as Python sorts), so
    parallel attempts take turns."""
    if lock:
        await conn.execute(
            """INSERT INTO login_throttle (key, failures, last_failure_at)
               SELECT key, 0, 'epoch' FROM unnest($1::text[]) AS key ORDER BY key COLLATE "C"
               ON CONFLICT (key) DO NOTHING""",
            keys,
        )
    locking = "FOR UPDATE" if lock else ""
    rows = await conn.fetch(
        f"""SELECT key, failures, last_failure_at FROM login_throttle
            WHERE key = ANY($1::text[]) ORDER BY key COLLATE "C" {locking}""",
        keys,
    )
    return [Failures(row["key"], row["failures"], row["last_failure_at"]) for row in rows]


async def record_failure(
    conn: asyncpg.Connection, keys: list[str], at: datetime, forget_after: timedelta
) -> None:
    """One more failure per key; a count whose last failure is old starts again from one."""
    await conn.execute(
        """INSERT INTO login_throttle (key, failures, last_failure_at)
           SELECT key, 1, $2 FROM unnest($1::text[]) AS key
           ON CONFLICT (key) DO UPDATE SET
               failures = CASE WHEN login_throttle.last_failure_at <= $2 - $3::interval THEN 1
                               ELSE login_throttle.failures + 1 END,
               last_failure_at = $2""",
        keys,
        at,
        forget_after,
    )


async def take_back(conn: asyncpg.Connection, keys: list[str]) -> None:
    """One failure fewer per key: an attempt counted in advance turned out right. Key by key,
    in the order `failures(lock=True)` locks them in, so that transactions never wait for
    each other in a cycle."""
    for key in sorted(keys):
        await conn.execute(
            "UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key = $1", key
        )


async def forget(conn: asyncpg.Connection, keys: list[str]) -> None:
    await conn.execute("DELETE FROM login_throttle WHERE key = ANY($1::text[])", keys)


async def forget_older_than(conn: asyncpg.Connection, before: datetime) -> None:
    await conn.execute("DELETE FROM login_throttle WHERE last_failure_at < $1", before)
