"""PostgreSQL: the pool, migrations under an advisory lock, and transactions that retry."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from shared.outages import DATABASE

log = logging.getLogger(__name__)

T = TypeVar("T")

# Any constant would do; it only has to be the same in every replica of every service.
MIGRATION_LOCK_KEY = 0x0C7C1ADE5
MIGRATION_FILE = re.compile(r"^(\d{3,})_[\w-]+\.sql$")


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


class NotifyListener:
    """A connection of its own that LISTENs on one channel and calls `on_notify` for each
    NOTIFY. Loops that use it also poll: LISTEN only makes them prompt, so a listener that
    cannot connect is logged and tried again at the next `ensure()`."""

    def __init__(self, dsn: str, channel: str, on_notify: Callable[..., object]) -> None:
        self.dsn = dsn
        self.channel = channel
        self.on_notify = on_notify
        self._conn: asyncpg.Connection | None = None

    async def ensure(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            return
        self.close()
        try:
            self._conn = await asyncpg.connect(self.dsn, timeout=5)
            await self._conn.add_listener(self.channel, self.on_notify)
        except Exception as exc:
            log.warning("LISTEN unavailable", extra={"channel": self.channel, "error": repr(exc)})
            self.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.terminate()  # no round trip: it may be talking to a server that is gone


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Released connections skip asyncpg's reset query (a round trip on every release):
    nothing here leaves session state behind: no LISTEN on pool connections, advisory locks
    released explicitly or transaction-scoped, `SET LOCAL` only. An open transaction is still
    rolled back by the pool before this runs."""


def server_settings(
    statement_timeout_ms: int, lock_timeout_ms: int, idle_in_transaction_timeout_ms: int
) -> dict[str, str]:
    return {
        "statement_timeout": str(statement_timeout_ms),
        "lock_timeout": str(lock_timeout_ms),
        "idle_in_transaction_session_timeout": str(idle_in_transaction_timeout_ms),
        "timezone": "UTC",
    }


class _Answers:
    """Whether the server answered a statement of this request (or other unit of work)."""

    def __init__(self) -> None:
        self.any = False


_answers: ContextVar[_Answers | None] = ContextVar("database_answers", default=None)


@contextmanager
def tracking_answers() -> Iterator[_Answers]:
    """Within this block, `answers.any` tells whether any statement was answered: work that
    failed on an unreachable database before that did nothing, and can be run again."""
    answers = _Answers()
    token = _answers.set(answers)
    try:
        yield answers
    finally:
        _answers.reset(token)


def _answered() -> None:
    if (answers := _answers.get()) is not None:
        answers.any = True


class _Connection(asyncpg.Connection):  # type: ignore[misc]
    """Notes every statement the server answered (see `tracking_answers`). `execute` without
    arguments, `_execute` (fetch*, execute with arguments) and `_executemany` are the paths
    every statement takes, transactions' BEGIN and COMMIT included."""

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        result = await super().execute(*args, **kwargs)
        _answered()
        return result

    async def _execute(self, *args: Any, **kwargs: Any) -> Any:
        result = await super()._execute(*args, **kwargs)
        _answered()
        return result

    async def _executemany(self, *args: Any, **kwargs: Any) -> Any:
        result = await super()._executemany(*args, **kwargs)
        _answered()
        return result


async def create_pool(
    dsn: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    statement_timeout_ms: int = 15_000,
    lock_timeout_ms: int = 5_000,
    idle_in_transaction_timeout_ms: int = 60_000,
) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        connection_class=_Connection,
        server_settings=server_settings(
            statement_timeout_ms, lock_timeout_ms, idle_in_transaction_timeout_ms
        ),
    )
    assert pool is not None
    return pool


def migration_files(directory: Path) -> list[tuple[int, Path]]:
    """The numbered SQL files of a folder, in order; a duplicate number is an error."""
    files: dict[int, Path] = {}
    for path in sorted(directory.glob("*.sql")):
        match = MIGRATION_FILE.match(path.name)
        if match is None:
            raise ValueError(f"{path.name}: migration files are named NNN_description.sql")
        number = int(match.group(1))
        if number in files:
            raise ValueError(f"{path.name}: migration number {number} is used twice")
        files[number] = path
    return sorted(files.items())


async def migrate(conn: asyncpg.Connection, component: str, directory: Path) -> list[int]:
    """Apply the files of `directory` not yet applied for `component`; return their numbers.

    Replicas starting together wait on one advisory lock, so each file runs once.
    """
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    try:
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   component text NOT NULL,
                   version integer NOT NULL,
                   name text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now(),
                   PRIMARY KEY (component, version))"""
        )
        applied = {
            row["version"]
            for row in await conn.fetch(
                "SELECT version FROM schema_migrations WHERE component = $1", component
            )
        }
        done: list[int] = []
        for number, path in migration_files(directory):
            if number in applied:
                continue
            async with conn.transaction():
                # A migration may rewrite a large table: the request-sized timeout is lifted.
                await conn.execute("SET LOCAL statement_timeout = 0")
                await conn.execute(path.read_text(encoding="utf-8"))
                await conn.execute(
                    "INSERT INTO schema_migrations (component, version, name) VALUES ($1, $2, $3)",
                    component,
                    number,
                    path.name,
                )
            log.info("migration applied", extra={"component": component, "migration": path.name})
            done.append(number)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)


SHARED_MIGRATIONS = Path(__file__).parent / "migrations"


async def migrate_service(conn: asyncpg.Connection, service: str, directory: Path) -> None:
    """The shared tables (outbox, inbox, dead letters) first, then the service's own."""
    await migrate(conn, "shared", SHARED_MIGRATIONS)
    await migrate(conn, service, directory)


RETRYABLE = (asyncpg.SerializationError, asyncpg.DeadlockDetectedError)

# The database cannot be reached (down, restarting, connection lost): nothing the work did
# wrong. Statement timeouts are not here: a slow query is the work's own failure.
DATABASE_UNREACHABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)


def is_unreachable(error: BaseException) -> bool:
    return isinstance(error, DATABASE_UNREACHABLE)


UNREACHABLE_FIRST_PAUSE_S = 0.2
UNREACHABLE_MAX_PAUSE_S = 5.0


async def until_answered(
    work: Callable[[], Awaitable[T]], *, patience_s: float, what: str = "database work"
) -> T:
    """Run `work` again, with growing pauses, while the database cannot be reached, for up to
    `patience_s`; then the last error is raised. For work whose reason to be was obtained
    outside (an SMTP 250): it must be recorded, not redone because the record failed once."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience_s
    pause = UNREACHABLE_FIRST_PAUSE_S
    while True:
        try:
            result = await work()
        except DATABASE_UNREACHABLE as exc:
            DATABASE.failed(exc)
            if loop.time() + pause > deadline:
                log.error("database unreachable: gave up", extra={"what": what, "error": repr(exc)})
                raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, UNREACHABLE_MAX_PAUSE_S)
            continue
        DATABASE.answered()
        return result


PURGE_BATCH = 5000


async def delete_in_batches(conn: asyncpg.Connection, delete: str, *args: object) -> int:
    """Run a `DELETE … LIMIT $n` (the batch size is its last parameter) until it deletes
    less than a batch: each statement stays short, however much there is to purge."""
    total = 0
    while True:
        status = await conn.execute(delete, *args, PURGE_BATCH)
        deleted = int(status.split()[-1])
        total += deleted
        if deleted < PURGE_BATCH:
            return total


async def in_transaction(
    pool: asyncpg.Pool,
    work: Callable[[asyncpg.Connection], Awaitable[T]],
    *,
    isolation: str = "read_committed",
    attempts: int = 5,
) -> T:
    """Run `work` in one transaction, again from the start on serialization failures and
    deadlocks: the whole transaction is retried, never a part of it."""
    for attempt in range(1, attempts + 1):
        try:
            async with pool.acquire() as conn, conn.transaction(isolation=isolation):
                return await work(conn)
        except RETRYABLE:
            if attempt == attempts:
                raise
            await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))
    raise AssertionError("unreachable")
