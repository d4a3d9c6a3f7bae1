"""Administration commands.

python -m accounts.cli create-admin --email EMAIL --name "Display Name"
    The first administrateur (never a default password). The password is read from
    ACCOUNTS_ADMIN_PASSWORD, or asked on the terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from pydantic import ValidationError

from accounts.app import MIGRATIONS, bootstrap
from accounts.domain.errors import AccountsError
from accounts.entrypoints.schemas import NewStaff
from accounts.handlers.staff import create_staff
from accounts.settings import Settings
from shared.db import create_pool, in_transaction, migrate_service


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m accounts.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="create an administrateur account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", required=True, help="display name")
    return parser.parse_args(argv)


def admin_password() -> str:
    given = os.environ.get("ACCOUNTS_ADMIN_PASSWORD")
    if given:
        return given
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise SystemExit("The two passwords differ")
    return first


async def create_admin(settings: Settings, command: NewStaff) -> str:
    pool = await create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await migrate_service(conn, settings.service_name, MIGRATIONS)
        deps = bootstrap(settings)
        password_hash = await deps.hasher.hash(command.password)
        created = await in_transaction(
            pool, lambda conn: create_staff(conn, command, deps, password_hash)
        )
    finally:
        await pool.close()
    return str(created.account_id)


def main(argv: list[str] | None = None) -> int:
    arguments = parse(sys.argv[1:] if argv is None else argv)
    try:
        command = NewStaff(
            email=arguments.email,
            password=admin_password(),
            role="administrateur",
            display_name=arguments.name,
        )
        account_id = asyncio.run(create_admin(Settings(), command))
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            print(f"{'.'.join(map(str, error['loc']))}: {error['msg']}", file=sys.stderr)
        return 2
    except AccountsError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"administrateur created: {account_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
