"""Listing and replaying dead letters: admin endpoints and a command line.

python -m shared.bus.admin --dsn postgresql://… list [--queue Q]
python -m shared.bus.admin --dsn postgresql://… replay ID [ID …]
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import asyncpg
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from shared.auth import Principal, Role
from shared.bus.dead_letters import DeadLetter, list_dead_letters, replay_dead_letter
from shared.http.api import Api
from shared.http.keys import POOL
from shared.http.problems import not_found


class DeadLetterFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queue: str | None = Field(default=None, max_length=200)
    include_replayed: bool = False
    limit: int = Field(default=100, ge=1, le=1000)


class Replayed(BaseModel):
    id: int
    replayed: bool


def dead_letter_api() -> Api:
    api = Api()
    admin = (Role.ADMINISTRATEUR,)

    @api.get(
        "/api/v1/admin/dead-letters",
        query=DeadLetterFilter,
        response=list[DeadLetter],
        roles=admin,
        tags=("operations",),
    )
    async def list_dead(
        request: web.Request, query: DeadLetterFilter, principal: Principal
    ) -> list[DeadLetter]:
        async with request.app[POOL].acquire() as conn:
            return await list_dead_letters(
                conn, queue=query.queue, include_replayed=query.include_replayed, limit=query.limit
            )

    @api.post(
        "/api/v1/admin/dead-letters/{id:\\d+}/replay",
        response=Replayed,
        status=202,
        roles=admin,
        tags=("operations",),
    )
    async def replay_dead(request: web.Request, principal: Principal) -> Replayed:
        dead_letter_id = int(request.match_info["id"])
        async with request.app[POOL].acquire() as conn, conn.transaction():
            if not await replay_dead_letter(conn, dead_letter_id):
                raise not_found(f"Dead letter {dead_letter_id} waiting for replay")
        return Replayed(id=dead_letter_id, replayed=True)

    return api


async def _main(arguments: argparse.Namespace) -> int:
    conn = await asyncpg.connect(arguments.dsn)
    try:
        if arguments.command == "list":
            for letter in await list_dead_letters(conn, queue=arguments.queue, limit=1000):
                print(letter.model_dump_json(exclude={"body"}))
            return 0
        missing = 0
        for dead_letter_id in arguments.ids:
            async with conn.transaction():
                if not await replay_dead_letter(conn, dead_letter_id):
                    print(f"{dead_letter_id}: no dead letter waiting", file=sys.stderr)
                    missing += 1
        return 1 if missing else 0
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="List and replay dead letters")
    parser.add_argument("--dsn", required=True, help="the service's database")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list")
    listing.add_argument("--queue")
    replay = commands.add_parser("replay")
    replay.add_argument("ids", type=int, nargs="+")
    sys.exit(asyncio.run(_main(parser.parse_args())))


if __name__ == "__main__":
    main()
