"""Every service's migrations, after the shared ones, apply to an empty database, apply nothing
the second time, and apply one file at a time in order. Services are found by their
`services/<name>/<name>/migrations` folder, so a new one is tested as soon as it has one."""

from __future__ import annotations

import shutil
from pathlib import Path

import asyncpg
import pytest

from shared.db import SHARED_MIGRATIONS, migrate, migration_files

SERVICES = Path(__file__).resolve().parent.parent / "services"
MIGRATIONS = {folder.parent.name: folder for folder in sorted(SERVICES.glob("*/*/migrations"))}


def numbers(directory: Path) -> list[int]:
    return [number for number, _ in migration_files(directory)]


def test_every_service_with_migrations_is_found() -> None:
    assert {"accounts", "registration", "notifications"} <= set(MIGRATIONS)


@pytest.mark.parametrize("service", sorted(MIGRATIONS))
async def test_migrations_apply_to_an_empty_database_then_apply_nothing(
    service: str, database_dsn: str
) -> None:
    folder = MIGRATIONS[service]
    conn = await asyncpg.connect(database_dsn)
    try:
        assert await migrate(conn, "shared", SHARED_MIGRATIONS) == numbers(SHARED_MIGRATIONS)
        assert await migrate(conn, service, folder) == numbers(folder)
        assert await migrate(conn, "shared", SHARED_MIGRATIONS) == []
        assert await migrate(conn, service, folder) == []
    finally:
        await conn.close()


@pytest.mark.parametrize("service", sorted(MIGRATIONS))
async def test_migrations_apply_one_file_at_a_time(
    service: str, database_dsn: str, tmp_path: Path
) -> None:
    """As a deployment meets them: each file on the schema the ones before it left."""
    conn = await asyncpg.connect(database_dsn)
    try:
        for component, folder in (("shared", SHARED_MIGRATIONS), (service, MIGRATIONS[service])):
            released = tmp_path / component
            released.mkdir()
            for number, path in migration_files(folder):
                shutil.copy(path, released)
                assert await migrate(conn, component, released) == [number], path.name
    finally:
        await conn.close()
