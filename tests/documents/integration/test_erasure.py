"""An erased account leaves no document, row or object here, and a later event of the account
records nothing."""

from __future__ import annotations

from shared.storage import STORE
from shared.testing import factories
from shared.testing.helpers import wait_until
from shared.testing.service import ServiceUnderTest
from tests.documents.integration.test_publishing import documents_of, published


async def test_an_erased_accounts_documents_and_objects_go(service: ServiceUnderTest) -> None:
    created = factories.candidature_created()
    ref = created.candidature
    await service.publish(created)
    assert await published(service, ref.candidature_id)
    (document,) = await documents_of(service.pool, ref.candidature_id)
    store = service.app[STORE]
    assert await store.exists(document["object_key"])

    await service.publish(factories.account_erased(account_id=ref.account_id))

    async def object_gone() -> bool:
        return not await store.exists(document["object_key"])

    assert await wait_until(object_gone)
    assert await documents_of(service.pool, ref.candidature_id) == []
    for table in ("candidatures", "render_jobs"):
        left = await service.pool.fetchval(
            f"SELECT count(*) FROM {table} WHERE candidature_id = $1",
            ref.candidature_id,
        )
        assert left == 0, table
    assert await service.pool.fetchval("SELECT count(*) FROM objects_to_remove") == 0

    # A late version of the erased account's candidature: recorded nowhere.
    late = factories.candidature_modified(candidature=ref, version=2)
    envelope = await service.publish(late)

    async def handled() -> bool:
        found = await service.pool.fetchval(
            "SELECT count(*) FROM inbox WHERE event_id = $1", envelope.event_id
        )
        return bool(found)

    assert await wait_until(handled)
    jobs = await service.pool.fetchval(
        "SELECT count(*) FROM render_jobs WHERE candidature_id = $1", ref.candidature_id
    )
    assert jobs == 0
