"""Every document a gestionnaire publishes carries its verification stamp: a generated one
(rendered with it) and an uploaded one (stamped on its first page before it is stored). The
printed code answers `GET /api/v1/verification/{code}` as valid, then `withdrawn` once the
gestionnaire withdraws the document; a page too small for the stamp is refused, not stored
unstamped."""

from __future__ import annotations

import hashlib
import io
import shutil
import uuid
from typing import Any

import pytest
import pytest_asyncio
from pypdf import PdfWriter

from documents.domain.verification import DocumentKind, content_sha256, display_code
from shared.storage import STORE
from shared.testing.service import ServiceUnderTest, Start
from shared.testing.tokens import TestKeys
from tests.documents.integration import gestion_helpers as helpers
from tests.documents.integration.gestion_helpers import PDF, gestionnaire, known
from tests.documents.integration.test_gestion_generation import CONVOCATION, generated, text_of
from tests.documents.integration.test_gestion_upload import path

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")


@pytest_asyncio.fixture(loop_scope="session")
async def service(start: Start, bucket: str) -> ServiceUnderTest:
    return await start(**helpers.THREADS)


async def code_of(service: ServiceUnderTest, document_id: str) -> str:
    code: str = await service.pool.fetchval(
        "SELECT code FROM verifications WHERE document_id = $1", uuid.UUID(document_id)
    )
    return code


async def verification(service: ServiceUnderTest, code: str) -> dict[str, Any]:
    response = await service.client.get(f"/api/v1/verification/{display_code(code)}")
    assert response.status == 200
    answer: dict[str, Any] = await response.json()
    return answer


async def download(
    service: ServiceUnderTest, test_keys: TestKeys, account_id: uuid.UUID, document_id: str
) -> bytes:
    response = await service.client.get(
        f"/api/v1/me/documents/{document_id}", headers=helpers.candidat(test_keys, account_id)
    )
    assert response.status == 200
    return await response.read()


async def withdraw(service: ServiceUnderTest, test_keys: TestKeys, document_id: str) -> None:
    response = await service.client.post(
        f"/api/v1/admin/documents/{document_id}/withdrawal",
        json={"reason": "Erreur de date"},
        headers=gestionnaire(test_keys),
    )
    assert response.status == 200


async def test_a_generated_documents_code_is_valid_then_withdrawn(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    ref = (await known(service)).candidature
    item = await generated(service, gestionnaire(test_keys), ref.candidature_id, CONVOCATION)
    code = await code_of(service, item["document_id"])
    pdf = await download(service, test_keys, ref.account_id, item["document_id"])
    assert display_code(code) in text_of(pdf)

    answer = await verification(service, code)
    assert (answer["status"], answer["valid"]) == ("valid", True)
    assert answer["numero_inscription"] == ref.numero_inscription
    assert answer["sha256"] == hashlib.sha256(pdf).hexdigest()

    await withdraw(service, test_keys, item["document_id"])
    answer = await verification(service, code)
    assert (answer["status"], answer["valid"]) == ("withdrawn", False)


async def test_an_uploaded_pdf_is_stamped_with_a_code_that_verifies(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    created = await known(service)
    ref = created.candidature
    original = helpers.a_pdf(2)
    response = await service.client.post(
        path(ref.candidature_id),
        data=original,
        headers={**gestionnaire(test_keys), "Content-Type": PDF},
    )
    assert response.status == 201, await response.text()
    view = await response.json()
    code = await code_of(service, view["id"])
    stored = await download(service, test_keys, ref.account_id, view["id"])
    assert stored != original
    assert (view["size"], view["sha256"]) == (len(stored), hashlib.sha256(stored).hexdigest())
    text = text_of(stored)
    assert display_code(code) in text
    assert "Vérification du document" in text

    answer = await verification(service, code)
    assert (answer["status"], answer["valid"]) == ("valid", True)
    assert answer["kind"] == DocumentKind.CONVOCATION.value
    assert answer["numero_inscription"] == ref.numero_inscription
    assert answer["version"] == max(created.version, 1)
    assert answer["sha256"] == view["sha256"]
    signed = {"upload": {"sha256": hashlib.sha256(original).hexdigest(), "title": "Convocation"}}
    assert answer["content_sha256"] == content_sha256(DocumentKind.CONVOCATION, signed)

    await withdraw(service, test_keys, view["id"])
    assert (await verification(service, code))["status"] == "withdrawn"


@pytest.mark.parametrize(("width", "height"), [(200, 842), (595, 80)], ids=["narrow", "short"])
async def test_a_page_too_small_for_the_stamp_is_refused_and_nothing_is_kept(
    service: ServiceUnderTest, test_keys: TestKeys, width: int, height: int
) -> None:
    ref = (await known(service)).candidature
    writer = PdfWriter()
    writer.add_blank_page(width=width, height=height)
    out = io.BytesIO()
    writer.write(out)
    response = await service.client.post(
        path(ref.candidature_id),
        data=out.getvalue(),
        headers={**gestionnaire(test_keys), "Content-Type": PDF},
    )
    assert response.status == 422
    problem = await response.json()
    assert problem["type"].endswith("pdf-refused")
    assert problem["errors"][0]["code"] == "page-too-small"
    assert await helpers.published_events(service.pool) == []
    # Its confirmation may be published meanwhile (the render worker): only its own count.
    assert await helpers.object_keys(service.pool) == []
    store = service.app[STORE]
    listed = store.client.list_objects(store.bucket, prefix="gestion/", recursive=True)
    assert [item.object_name for item in listed] == []
