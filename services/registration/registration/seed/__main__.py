"""python -m registration.seed [--database-url URL]: migrate, then load the seed référentiel."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

import asyncpg

from registration.domain.errors import ImportRefused
from registration.seed import load_seed
from registration.settings import Settings
from shared.db import migrate_service, server_settings

MIGRATIONS = Path(__file__).parent.parent / "migrations"


async def seed(dsn: str, service_name: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn, server_settings=server_settings(60_000, 10_000, 60_000))
    try:
        await migrate_service(conn, service_name, MIGRATIONS)
        async with conn.transaction():
            return await load_seed(conn)
    finally:
        await conn.close()


def main() -> None:
    settings = Settings()
    parser = argparse.ArgumentParser(description="Load the seed référentiel (idempotent)")
    parser.add_argument("--database-url", default=settings.database_url)
    arguments = parser.parse_args()
    try:
        counts = asyncio.run(seed(arguments.database_url, settings.service_name))
    except ImportRefused as exc:
        for issue in exc.issues:
            print(f"{issue.field}: {issue.message}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
