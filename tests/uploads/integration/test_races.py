"""Two requests that race on one pièce or group: the row locks decide, once."""

from __future__ import annotations

import asyncio

from shared.testing.service import Start
from shared.testing.tokens import TestKeys
from tests.uploads import samples
from tests.uploads.integration.helpers import dossier, objects


async def test_two_uploads_racing_for_the_last_place_take_it_once(
    start: Start, bucket: str, test_keys: TestKeys
) -> None:
    service = await start(max_files_per_piece=1)
    found = await dossier(service, test_keys)
    piece = await found.piece("IDENTITE")
    answers = await asyncio.gather(*(found.upload(piece["id"], samples.pdf()) for _ in range(4)))
    assert sorted(a.status for a in answers) == [201, 409, 409, 409]
    assert len((await found.piece("IDENTITE"))["files"]) == 1
    assert await service.pool.fetchval("SELECT count(*) FROM piece_files") == 1
    assert len(await objects(service)) == 1  # the losers' objects were removed


async def test_two_declarations_racing_announce_once(
    start: Start, bucket: str, test_keys: TestKeys
) -> None:
    service = await start()
    found = await dossier(service, test_keys)
    (groupe,) = (await found.pieces())["groupes"]
    for piece in groupe["pieces"]:
        await found.upload(piece["id"], samples.pdf())
    answers = await asyncio.gather(*(found.declare(groupe["id"]) for _ in range(4)))
    assert [a.status for a in answers] == [200] * 4
    announced = await service.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE event_type = 'PiecesFournies'"
    )
    assert announced == 1
