"""The service's migrations apply to an empty database, once."""

from __future__ import annotations

import asyncpg

from accounts.app import MIGRATIONS
from shared.db import migrate_service


async def test_every_migration_applies_to_an_empty_database_and_only_once(
    database_dsn: str,
) -> None:
    conn = await asyncpg.connect(database_dsn)
    try:
        await migrate_service(conn, "accounts", MIGRATIONS)
        await migrate_service(conn, "accounts", MIGRATIONS)
        versions = await conn.fetch(
            "SELECT version FROM schema_migrations WHERE component = 'accounts'"
        )
        tables = await conn.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ANY($1::text[])",
            ["accounts", "account_tokens", "sessions", "refresh_tokens", "announcements"],
        )
    finally:
        await conn.close()
    assert [row["version"] for row in versions] == [1]
    assert tables == 5
