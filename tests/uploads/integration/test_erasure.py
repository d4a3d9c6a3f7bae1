"""An erased account's or a purged session's pièces and files go; their objects are removed
from the bucket by the periodic job; a later event of the erased account records nothing."""

from __future__ import annotations

from shared.testing import factories
from shared.testing.helpers import wait_until
from shared.testing.service import Start
from shared.testing.tokens import TestKeys
from tests.uploads import samples
from tests.uploads.integration.helpers import dossier, objects


async def test_an_erased_accounts_pieces_and_objects_go(
    start: Start, bucket: str, test_keys: TestKeys
) -> None:
    service = await start(remove_objects_interval_s=0.2)
    found = await dossier(service, test_keys)
    kept = await dossier(service, test_keys)
    for each in (found, kept):
        piece = await each.piece("IDENTITE")
        assert (await each.upload(piece["id"], samples.pdf())).status == 201
    assert len(await objects(service)) == 2

    await service.publish(factories.account_erased(account_id=found.ref.account_id))

    async def erased() -> bool:
        return len(await objects(service)) == 1

    assert await wait_until(erased)
    count = await service.pool.fetchval(
        "SELECT count(*) FROM pieces WHERE candidature_id = $1", found.ref.candidature_id
    )
    assert count == 0
    assert (await service.client.get(found.url + "/pieces", headers=found.headers)).status == 404
    assert (await kept.piece("IDENTITE"))["files"] != []

    # A late event of the erased account records nothing.
    late = factories.candidature_modified(candidature=found.ref)
    await service.publish(late)
    await service.publish(factories.account_erased())  # a positive signal after it

    async def handled() -> bool:
        return bool(await service.pool.fetchval("SELECT count(*) >= 5 FROM inbox"))

    assert await wait_until(handled)
    assert await service.pool.fetchval("SELECT count(*) FROM candidatures") == 1


async def test_a_purged_sessions_pieces_go(start: Start, bucket: str, test_keys: TestKeys) -> None:
    service = await start(remove_objects_interval_s=0.2)
    found = await dossier(service, test_keys)
    piece = await found.piece("IDENTITE")
    await found.upload(piece["id"], samples.pdf())
    await service.publish(factories.candidatures_purged(candidature_ids=[found.ref.candidature_id]))

    async def purged() -> bool:
        return await objects(service) == []

    assert await wait_until(purged)
    assert await service.pool.fetchval("SELECT count(*) FROM piece_files") == 0
