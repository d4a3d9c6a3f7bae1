"""Mes documents: a candidate lists their candidatures with documents and downloads them;
another candidate's are a 404."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

from shared.auth import Role
from shared.events.catalogue import CandidatureRef
from shared.testing import factories
from shared.testing.helpers import wait_until
from shared.testing.service import ServiceUnderTest
from shared.testing.tokens import TestKeys
from tests.documents.integration.test_publishing import documents_of, published


def candidat(test_keys: TestKeys, account_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {test_keys.token(Role.CANDIDAT, account_id=account_id)}"}


async def two_versions(service: ServiceUnderTest) -> CandidatureRef:
    created = factories.candidature_created()
    ref = created.candidature
    await service.publish(created)
    assert await published(service, ref.candidature_id)
    await service.publish(factories.candidature_modified(candidature=ref, version=2))
    assert await published(service, ref.candidature_id, 2)
    return ref


async def test_a_candidate_lists_and_downloads_their_documents(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    ref = await two_versions(service)
    headers = candidat(test_keys, ref.account_id)

    response = await service.client.get("/api/v1/me/candidatures", headers=headers)
    assert response.status == 200
    (candidature,) = await response.json()
    assert candidature["candidature_id"] == str(ref.candidature_id)
    assert candidature["numero_inscription"] == ref.numero_inscription
    assert candidature["latest_version"] == 2
    assert candidature["documents"] == 2
    assert candidature["withdrawn_at"] is None

    response = await service.client.get(
        f"/api/v1/me/candidatures/{ref.candidature_id}/documents", headers=headers
    )
    assert response.status == 200
    listed = await response.json()
    assert [(d["kind"], d["version"]) for d in listed] in (
        [("confirmation_inscription", 2), ("confirmation_inscription", 1)],
        [("confirmation_inscription", 1), ("confirmation_inscription", 2)],  # same instant
    )
    first = next(d for d in listed if d["version"] == 1)

    response = await service.client.get(f"/api/v1/me/documents/{first['id']}", headers=headers)
    assert response.status == 200
    body = await response.read()
    assert response.content_type == "application/pdf"
    assert body.startswith(b"%PDF-")
    assert len(body) == first["size"]
    sha = hashlib.sha256(body).hexdigest()
    assert response.headers["ETag"] == f'"{sha}"'
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="confirmation-inscription-{ref.numero_inscription}-v1.pdf"'
    )

    again = await service.client.get(
        f"/api/v1/me/documents/{first['id']}",
        headers={**headers, "If-None-Match": f'"{sha}"'},
    )
    assert again.status == 304


async def test_the_candidates_most_recent_candidature_comes_first(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    account_id = uuid.uuid4()
    older = factories.candidature_created(
        candidature=factories.candidature_ref(account_id=account_id)
    )
    await service.publish(older)
    assert await published(service, older.candidature.candidature_id)
    service.clock.advance(timedelta(minutes=1))
    newer = factories.candidature_created(
        candidature=factories.candidature_ref(account_id=account_id)
    )
    await service.publish(newer)
    assert await published(service, newer.candidature.candidature_id)

    response = await service.client.get(
        "/api/v1/me/candidatures", headers=candidat(test_keys, account_id)
    )
    listed = [c["candidature_id"] for c in await response.json()]
    assert listed == [str(newer.candidature.candidature_id), str(older.candidature.candidature_id)]


async def test_another_candidates_documents_are_not_found(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    ref = await two_versions(service)
    (document, _) = await documents_of(service.pool, ref.candidature_id)
    intruder = candidat(test_keys, uuid.uuid4())

    response = await service.client.get("/api/v1/me/candidatures", headers=intruder)
    assert await response.json() == []
    for path in (
        f"/api/v1/me/candidatures/{ref.candidature_id}/documents",
        f"/api/v1/me/documents/{document['id']}",
        f"/api/v1/me/documents/{uuid.uuid4()}",
        "/api/v1/me/documents/not-a-uuid",
    ):
        response = await service.client.get(path, headers=intruder)
        assert response.status == 404, path
        assert response.content_type == "application/problem+json"
    response = await service.client.get(f"/api/v1/me/documents/{document['id']}")
    assert response.status == 401


async def test_a_withdrawn_candidatures_documents_stay_downloadable(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    ref = await two_versions(service)
    await service.publish(factories.candidature_withdrawn(candidature=ref))
    headers = candidat(test_keys, ref.account_id)

    async def marked() -> bool:
        response = await service.client.get("/api/v1/me/candidatures", headers=headers)
        (candidature,) = await response.json()
        return candidature["withdrawn_at"] is not None

    assert await wait_until(marked)
    (document, _) = await documents_of(service.pool, ref.candidature_id)
    response = await service.client.get(f"/api/v1/me/documents/{document['id']}", headers=headers)
    assert response.status == 200
