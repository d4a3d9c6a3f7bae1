"""Every shared migration applies to an empty database, and applying again changes nothing."""

from __future__ import annotations

import asyncpg

from shared.db import SHARED_MIGRATIONS, migrate, migration_files


async def test_shared_migrations_apply_to_an_empty_database(database_dsn: str) -> None:
    conn = await asyncpg.connect(database_dsn)
    try:
        applied = await migrate(conn, "shared", SHARED_MIGRATIONS)
        assert applied == [number for number, _ in migration_files(SHARED_MIGRATIONS)]
        tables = {
            row["tablename"]
            for row in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        }
        assert {"outbox", "inbox", "dead_letters", "schema_migrations"} <= tables
        assert await migrate(conn, "shared", SHARED_MIGRATIONS) == []
    finally:
        await conn.close()
