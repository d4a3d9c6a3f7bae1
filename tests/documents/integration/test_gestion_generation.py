"""Documents generated from a template, for one candidature or a batch: rendered by the
generation worker, one document per candidature per batch, announced once, progress N/N;
withdrawal hides a document from Mes documents, audited."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid
from datetime import timedelta
from typing import Any

import pytest_asyncio
from aiohttp import ClientResponse

from documents.adapters import gestion_sql
from documents.adapters.gestion_sql import Item
from documents.deps import DEPS
from documents.domain.templates import render_generation
from documents.handlers.gestion_publishing import Generator
from documents.handlers.publishing import Policy
from shared.storage import STORE
from shared.testing import factories
from shared.testing.helpers import wait_until
from shared.testing.service import ServiceUnderTest, Start
from shared.testing.tokens import TestKeys
from tests.documents.integration.gestion_helpers import (
    THREADS,
    candidat,
    gestionnaire,
    known,
    published_events,
)

BATCHES = "/api/v1/admin/document-batches"
CONVOCATION: dict[str, Any] = {
    "template": "convocation",
    "epreuves": [
        {"code": "E1", "jour": "2027-05-12", "heure": "08:30", "lieu": "Lycée <b>Pasteur</b> & #2"}
    ],
}


@pytest_asyncio.fixture(loop_scope="session")
async def service(start: Start, bucket: str) -> ServiceUnderTest:
    return await start(**THREADS)


def generate_path(candidature_id: uuid.UUID) -> str:
    return f"/api/v1/admin/candidatures/{candidature_id}/generated-documents"


async def finished(
    service: ServiceUnderTest, headers: dict[str, str], batch_id: str
) -> dict[str, Any]:
    view: dict[str, Any] = {}

    async def done() -> bool:
        nonlocal view
        response = await service.client.get(f"{BATCHES}/{batch_id}", headers=headers)
        view = await response.json()
        return bool(view["finished"])

    assert await wait_until(done, timeout=60)
    return view


async def accepted(response: ClientResponse) -> dict[str, Any]:
    assert response.status == 202, await response.text()
    body: dict[str, Any] = await response.json()
    return body


async def generated(
    service: ServiceUnderTest,
    headers: dict[str, str],
    candidature_id: uuid.UUID,
    document: dict[str, Any],
) -> dict[str, Any]:
    """A batch of one, finished: its only item."""
    batch = await accepted(
        await service.client.post(
            generate_path(candidature_id), json={"document": document}, headers=headers
        )
    )
    (item,) = (await finished(service, headers, batch["id"]))["items"]
    item["batch_id"] = batch["id"]
    return dict(item)


def text_of(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


async def test_a_convocation_for_one_candidature_is_rendered_stored_and_announced(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    ref = (await known(service)).candidature
    headers = gestionnaire(test_keys)
    batch = await accepted(
        await service.client.post(
            generate_path(ref.candidature_id), json={"document": CONVOCATION}, headers=headers
        )
    )
    assert (batch["single"], batch["total"], batch["kind"]) == (True, 1, "convocation")
    view = await finished(service, headers, batch["id"])
    assert (view["done"], view["failed"]) == (1, 0)
    (item,) = view["items"]
    assert item["numero_inscription"] == ref.numero_inscription

    (event,) = await published_events(service.pool)
    assert event["document_id"] == item["document_id"]
    assert event["kind"] == "convocation"
    me = candidat(test_keys, ref.account_id)
    download = await service.client.get(f"/api/v1/me/documents/{item['document_id']}", headers=me)
    assert download.status == 200
    pdf = await download.read()
    if shutil.which("pdftotext"):
        text = text_of(pdf)
        assert ref.numero_inscription in text
        assert "12 mai 2027" in text
        assert "Lycée <b>Pasteur</b> & #2" in text
    key = await service.pool.fetchval(
        "SELECT object_key FROM documents WHERE id = $1", uuid.UUID(item["document_id"])
    )
    assert await service.app[STORE].read(key) == pdf


async def test_a_template_that_does_not_fit_the_candidature_is_a_422(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    ref = (await known(service)).candidature
    body = {
        "document": {**CONVOCATION, "epreuves": [{**CONVOCATION["epreuves"][0], "code": "EF2"}]}
    }
    response = await service.client.post(
        generate_path(ref.candidature_id), json=body, headers=gestionnaire(test_keys)
    )
    assert response.status == 422
    problem = await response.json()
    assert problem["errors"][0]["field"] == "document.epreuves.0.code"
    unknown_field = await service.client.post(
        generate_path(ref.candidature_id),
        json={"document": {**CONVOCATION, "lieu": "x"}},
        headers=gestionnaire(test_keys),
    )
    assert unknown_field.status == 422
    assert await service.pool.fetchval("SELECT count(*) FROM document_batches") == 0


async def test_another_academie_sees_neither_the_candidature_nor_the_batch(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    ref = (await known(service)).candidature
    lyon = gestionnaire(test_keys, "LYO")
    response = await service.client.post(
        generate_path(ref.candidature_id), json={"document": CONVOCATION}, headers=lyon
    )
    assert response.status == 404
    batch = await accepted(
        await service.client.post(
            generate_path(ref.candidature_id),
            json={"document": CONVOCATION},
            headers=gestionnaire(test_keys),
        )
    )
    assert (await service.client.get(f"{BATCHES}/{batch['id']}", headers=lyon)).status == 404
    outside = await service.client.post(
        BATCHES, json={"filter": {"academie": "BES"}, "document": CONVOCATION}, headers=lyon
    )
    assert outside.status == 403
    me = candidat(test_keys, ref.account_id)
    assert (await service.client.get(f"{BATCHES}/{batch['id']}", headers=me)).status == 403


async def test_a_batch_of_n_candidatures_gives_n_documents_and_progress_n_of_n(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    banque = [await known(service) for _ in range(5)]
    await known(service, candidature=factories.candidature_ref(specialite_code="MCO"))
    await known(service, recapitulatif=factories.recapitulatif(etablissement="CNED"))
    await known(
        service,
        candidature=factories.candidature_ref(
            academie=factories.candidature_ref().academie.model_copy(update={"code": "LYO"})
        ),
    )
    withdrawn = await known(service)
    await service.publish(factories.candidature_withdrawn(candidature=withdrawn.candidature))

    async def marked() -> bool:
        return bool(
            await service.pool.fetchval(
                "SELECT withdrawn_at IS NOT NULL FROM candidatures WHERE candidature_id = $1",
                withdrawn.candidature.candidature_id,
            )
        )

    assert await wait_until(marked)
    headers = {**gestionnaire(test_keys), "Idempotency-Key": "batch-1"}
    body = {
        "filter": {"academie": "BES", "specialite": "BANQUE", "etablissement": "INDIVIDUELS 025"},
        "document": CONVOCATION,
    }
    batch = await accepted(await service.client.post(BATCHES, json=body, headers=headers))
    again = await accepted(await service.client.post(BATCHES, json=body, headers=headers))
    assert again["id"] == batch["id"]
    assert batch["total"] == 5
    view = await finished(service, headers, batch["id"])
    assert (view["total"], view["done"], view["failed"], view["pending"]) == (5, 5, 0, 0)
    expected = {str(c.candidature.candidature_id) for c in banque}
    assert {item["candidature_id"] for item in view["items"]} == expected
    assert all(item["status"] == "done" and item["document_id"] for item in view["items"])

    events = await published_events(service.pool, "convocation")
    assert len(events) == 5
    assert {e["candidature"]["candidature_id"] for e in events} == expected
    count = await service.pool.fetchval(
        "SELECT count(*) FROM gestion_documents WHERE batch_id = $1", uuid.UUID(batch["id"])
    )
    assert count == 5
    assert await service.pool.fetchval("SELECT count(*) FROM pending_objects") == 0

    reused = await service.client.post(
        BATCHES, json={**body, "filter": {"academie": "BES"}}, headers=headers
    )
    assert reused.status == 422  # same key, another body


async def test_a_batch_item_whose_candidature_has_none_of_the_epreuves_fails_alone(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    with_e1 = await known(service)
    recap = factories.recapitulatif(epreuves=factories.recapitulatif().epreuves[1:])
    without = await known(service, recapitulatif=recap)
    headers = gestionnaire(test_keys)
    batch = await accepted(
        await service.client.post(
            BATCHES, json={"filter": {"academie": "BES"}, "document": CONVOCATION}, headers=headers
        )
    )
    view = await finished(service, headers, batch["id"])
    assert (view["total"], view["done"], view["failed"]) == (2, 1, 1)
    by_id = {item["candidature_id"]: item for item in view["items"]}
    failed = by_id[str(without.candidature.candidature_id)]
    assert failed["status"] == "failed"
    assert failed["document_id"] is None
    assert "aucune" in failed["error"]
    assert by_id[str(with_e1.candidature.candidature_id)]["status"] == "done"


async def an_item_not_yet_due(service: ServiceUnderTest, candidature_id: uuid.UUID) -> Item:
    """A batch item the service's own worker leaves alone (due in an hour)."""
    batch_id = uuid.uuid4()
    async with service.pool.acquire() as conn:
        await gestion_sql.insert_batch(
            conn,
            gestion_sql.NewBatch(
                id=batch_id,
                academie="BES",
                template="convocation",
                params=CONVOCATION,
                filter={"candidature_id": str(candidature_id)},
                candidature_id=candidature_id,
                created_by=uuid.uuid4(),
                created_at=factories.utc_now(),
            ),
        )
        item_id = await conn.fetchval(
            """INSERT INTO document_batch_items (batch_id, candidature_id, due_at)
               VALUES ($1, $2, now() + interval '1 hour') RETURNING id""",
            batch_id,
            candidature_id,
        )
        payload = await conn.fetchval(
            "SELECT payload FROM candidature_snapshots WHERE candidature_id = $1", candidature_id
        )
    return Item(item_id, batch_id, candidature_id, 0, True, CONVOCATION, uuid.uuid4(), payload)


async def test_two_generators_racing_on_one_item_make_one_document(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    """Two replicas hold the same item (a lease ran out): both render and put, one records."""
    ref = (await known(service)).candidature
    item = await an_item_not_yet_due(service, ref.candidature_id)

    async def render(*args: Any) -> bytes:
        return await asyncio.to_thread(render_generation, *args)

    def generator() -> Generator:
        return Generator(
            service.pool,
            service.app[STORE],
            service.app[DEPS],
            render,
            Policy(batch_size=1, lease_s=60, retry_initial_s=0.1, retry_max_s=0.1),
            max_render_attempts=3,
            orphan_after_s=3600,
        )

    results = await asyncio.gather(generator().generate(item), generator().generate(item))
    assert sorted(results) == [False, True]
    assert len(await published_events(service.pool)) == 1
    rows = await service.pool.fetch(
        "SELECT object_key FROM documents WHERE candidature_id = $1 AND kind = 'convocation'",
        ref.candidature_id,
    )
    assert len(rows) == 1
    assert await service.pool.fetchval("SELECT count(*) FROM pending_objects") == 0


async def test_an_orphan_object_is_queued_for_removal_after_a_while(
    service: ServiceUnderTest,
) -> None:
    key = f"gestion/{uuid.uuid4()}.pdf"
    await service.app[STORE].put(key, b"%PDF-orphan", "application/pdf")
    await service.pool.execute(
        """INSERT INTO pending_objects (object_key, recorded_at)
           VALUES ($1, now() - interval '2 hours')""",
        key,
    )

    async def removed() -> bool:
        return not await service.app[STORE].exists(key)

    assert await wait_until(removed)
    assert await service.pool.fetchval("SELECT count(*) FROM pending_objects") == 0


async def test_a_withdrawn_document_is_hidden_from_the_candidate_and_audited(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    ref = (await known(service)).candidature
    headers = gestionnaire(test_keys)
    document_id = (await generated(service, headers, ref.candidature_id, CONVOCATION))[
        "document_id"
    ]
    withdrawal = f"/api/v1/admin/documents/{document_id}/withdrawal"

    empty = await service.client.post(withdrawal, json={"reason": ""}, headers=headers)
    assert empty.status == 422
    lyon = await service.client.post(
        withdrawal, json={"reason": "erreur de lieu"}, headers=gestionnaire(test_keys, "LYO")
    )
    assert lyon.status == 404
    response = await service.client.post(
        withdrawal, json={"reason": "Erreur de lieu"}, headers=headers
    )
    assert response.status == 200
    view = await response.json()
    assert view["withdrawal_reason"] == "Erreur de lieu"
    assert view["withdrawn_at"] is not None
    assert view["withdrawn_by"] is not None
    again = await service.client.post(withdrawal, json={"reason": "encore"}, headers=headers)
    assert again.status == 409

    me = candidat(test_keys, ref.account_id)
    assert (
        await service.client.get(f"/api/v1/me/documents/{document_id}", headers=me)
    ).status == 404
    listed = await service.client.get(
        f"/api/v1/me/candidatures/{ref.candidature_id}/documents", headers=me
    )
    assert document_id not in [d["id"] for d in await listed.json()]
    staff = await service.client.get(
        f"/api/v1/admin/candidatures/{ref.candidature_id}/documents", headers=headers
    )
    by_id = {d["id"]: d for d in await staff.json()}
    assert by_id[document_id]["withdrawn_at"] is not None
    audit = await service.pool.fetchrow(
        "SELECT * FROM document_withdrawals WHERE document_id = $1", uuid.UUID(document_id)
    )
    assert audit["reason"] == "Erreur de lieu"


async def test_a_confirmation_cannot_be_withdrawn_by_a_gestionnaire(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    ref = (await known(service)).candidature

    async def confirmation() -> bool:
        return (
            await service.pool.fetchval(
                "SELECT id FROM documents WHERE candidature_id = $1", ref.candidature_id
            )
            is not None
        )

    assert await wait_until(confirmation)
    document_id = await service.pool.fetchval(
        "SELECT id FROM documents WHERE candidature_id = $1", ref.candidature_id
    )
    response = await service.client.post(
        f"/api/v1/admin/documents/{document_id}/withdrawal",
        json={"reason": "pas possible"},
        headers=gestionnaire(test_keys),
    )
    assert response.status == 409
    assert (await response.json())["type"].endswith("not-withdrawable")
    hidden = await service.pool.fetchval(
        "SELECT withdrawn_at FROM documents WHERE id = $1", document_id
    )
    assert hidden is None


async def test_the_process_pool_renders_a_batch(
    start: Start, bucket: str, test_keys: TestKeys
) -> None:
    service = await start(render_processes=0, gestion_processes=1)
    for _ in range(3):
        await known(service)
    headers = gestionnaire(test_keys)
    batch = await accepted(
        await service.client.post(
            BATCHES, json={"filter": {"academie": "BES"}, "document": CONVOCATION}, headers=headers
        )
    )
    view = await finished(service, headers, batch["id"])
    assert (view["total"], view["done"]) == (3, 3)


async def test_an_erased_account_takes_its_generated_documents_and_batches_along(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    ref = (await known(service)).candidature
    headers = gestionnaire(test_keys)
    amenagement = {
        "template": "notification_amenagement",
        "decision_le": "2027-02-01",
        "mesures": ["Tiers temps"],
    }
    item = await generated(service, headers, ref.candidature_id, amenagement)
    key = await service.pool.fetchval(
        "SELECT object_key FROM documents WHERE id = $1", uuid.UUID(item["document_id"])
    )
    await service.publish(factories.account_erased(account_id=ref.account_id))

    async def removed() -> bool:
        return not await service.app[STORE].exists(key)

    assert await wait_until(removed)
    for table in ("candidature_snapshots", "document_batch_items", "gestion_documents"):
        count = await service.pool.fetchval(
            f"SELECT count(*) FROM {table} WHERE candidature_id = $1", ref.candidature_id
        )
        assert count == 0, table
    assert (
        await service.pool.fetchval(
            "SELECT count(*) FROM document_batches WHERE id = $1", uuid.UUID(item["batch_id"])
        )
        == 0
    )
    gone = await service.client.get(f"{BATCHES}/{item['batch_id']}", headers=headers)
    assert gone.status == 404


async def test_a_gestionnaire_lists_the_batches_of_their_academies_newest_first(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    bes, lyon = gestionnaire(test_keys), gestionnaire(test_keys, "LYO")
    body = {"filter": {"academie": "BES"}, "document": CONVOCATION}
    first = await accepted(await service.client.post(BATCHES, json=body, headers=bes))
    service.clock.advance(timedelta(minutes=1))
    second = await accepted(await service.client.post(BATCHES, json=body, headers=bes))
    lyon_body = {"filter": {"academie": "LYO"}, "document": CONVOCATION}
    await accepted(await service.client.post(BATCHES, json=lyon_body, headers=lyon))

    listed = await service.client.get(BATCHES, headers=bes)
    assert listed.status == 200
    assert [b["id"] for b in await listed.json()] == [second["id"], first["id"]]
    assert "items" not in (await listed.json())[0]
    one = await service.client.get(f"{BATCHES}?academie=BES&limit=1", headers=bes)
    assert [b["id"] for b in await one.json()] == [second["id"]]
    outside = await service.client.get(f"{BATCHES}?academie=LYO", headers=bes)
    assert outside.status == 403
