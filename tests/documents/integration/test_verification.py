"""Every confirmation's verification code answers, publicly, its fields and whether it still
holds; its QR token checks offline against the published JWKS."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from documents.domain.verification import DocumentKind, content_sha256, display_code, verify
from shared.events.catalogue import CandidatureRef
from shared.storage import STORE
from shared.testing import factories
from shared.testing.helpers import wait_until
from shared.testing.service import ServiceUnderTest
from tests.documents.integration.test_publishing import documents_of, published
from tests.documents.unit.test_stamp import scanned_tokens, text_of


async def confirmed(service: ServiceUnderTest) -> tuple[CandidatureRef, str]:
    """A candidature's first confirmation, published; its verification code."""
    created = factories.candidature_created()
    ref = created.candidature
    await service.publish(created)
    assert await published(service, ref.candidature_id)
    return ref, await code_of(service, ref.candidature_id, 1)


async def code_of(service: ServiceUnderTest, candidature_id: uuid.UUID, version: int) -> str:
    code: str = await service.pool.fetchval(
        """SELECT v.code FROM verifications v JOIN documents d ON d.id = v.document_id
           WHERE d.candidature_id = $1 AND d.version = $2""",
        candidature_id,
        version,
    )
    return code


async def status_of(service: ServiceUnderTest, code: str) -> str:
    response = await service.client.get(f"/api/v1/verification/{code}")
    assert response.status == 200
    answer: dict[str, str] = await response.json()
    return answer["status"]


async def test_a_code_answers_the_documents_fields_without_personal_data(
    service: ServiceUnderTest,
) -> None:
    ref, code = await confirmed(service)
    (document,) = await documents_of(service.pool, ref.candidature_id)

    # Public: no Authorization header; typed as printed (with its dash, in lower case).
    response = await service.client.get(f"/api/v1/verification/{display_code(code).lower()}")
    assert response.status == 200
    answer = await response.json()
    assert answer["code"] == code
    assert answer["kind"] == "confirmation"
    assert answer["numero_candidat"] == ref.numero_candidat
    assert answer["numero_inscription"] == ref.numero_inscription
    assert answer["version"] == 1
    assert answer["initials"] == "H. L."
    assert answer["sha256"] == document["sha256"]  # the stored file's
    assert (answer["status"], answer["valid"]) == ("valid", True)
    text = str(answer)
    for personal in (ref.nom, ref.prenoms, str(ref.email), str(ref.account_id)):
        assert personal not in text


async def test_a_later_version_supersedes_a_confirmation(service: ServiceUnderTest) -> None:
    ref, first = await confirmed(service)
    assert await status_of(service, first) == "valid"

    await service.publish(factories.candidature_modified(candidature=ref, version=2))
    assert await published(service, ref.candidature_id, 2)
    second = await code_of(service, ref.candidature_id, 2)

    assert await status_of(service, first) == "superseded"
    assert await status_of(service, second) == "valid"
    response = await service.client.get(f"/api/v1/verification/{first}")
    assert (await response.json())["valid"] is False


async def test_a_withdrawn_document_or_candidature_is_not_valid(
    service: ServiceUnderTest,
) -> None:
    ref, code = await confirmed(service)
    await service.pool.execute(
        "UPDATE documents SET withdrawn_at = now() WHERE candidature_id = $1", ref.candidature_id
    )
    assert await status_of(service, code) == "withdrawn"

    other, other_code = await confirmed(service)
    await service.publish(factories.candidature_withdrawn(candidature=other))

    async def marked() -> bool:
        return await status_of(service, other_code) == "candidature_withdrawn"

    assert await wait_until(marked)


@pytest.mark.parametrize(
    "typed", ["0000000000", "7K3QD9TXW5", "nope", "-", "7K3QD-9TXW4-7K3QD-9TXW4-AAAAAAAAA"]
)
async def test_an_unknown_or_malformed_code_is_a_404_problem(
    service: ServiceUnderTest, typed: str
) -> None:
    response = await service.client.get(f"/api/v1/verification/{typed}")
    assert response.status == 404
    assert response.content_type == "application/problem+json"


async def test_the_jwks_publishes_the_key_named_by_the_tokens(service: ServiceUnderTest) -> None:
    response = await service.client.get("/api/v1/verification/jwks.json")
    assert response.status == 200
    assert "public" in response.headers["Cache-Control"]
    jwks = await response.json()
    (key,) = jwks["keys"]
    assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", "EdDSA")
    assert "d" not in key  # never the private part


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools not installed")
async def test_the_stored_pdf_checks_offline_and_online(
    service: ServiceUnderTest, tmp_path: Path
) -> None:
    """What a school does: scan the QR of the PDF it was handed, check the signature with the
    JWKS (fetched once, kept), then compare with the code's answer."""
    ref, code = await confirmed(service)
    (document,) = await documents_of(service.pool, ref.candidature_id)
    pdf = await service.app[STORE].read(document["object_key"])
    jwks = await (await service.client.get("/api/v1/verification/jwks.json")).json()

    (token,) = scanned_tokens(pdf, tmp_path)
    checked = verify(token, jwks)
    payload = await service.pool.fetchval(
        "SELECT payload FROM render_jobs WHERE candidature_id = $1", ref.candidature_id
    )
    assert checked.sha256 == content_sha256(DocumentKind.CONFIRMATION, payload)
    assert display_code(code) in text_of(pdf, tmp_path)
    answer = await (await service.client.get(f"/api/v1/verification/{code}")).json()
    assert (answer["numero_inscription"], answer["version"]) == (
        checked.numero_inscription,
        checked.version,
    )
    assert answer["content_sha256"] == checked.sha256
    assert answer["kid"] == checked.kid
