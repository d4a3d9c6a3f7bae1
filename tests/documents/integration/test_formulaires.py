"""Formulaires: none for the BTS; an administrateur adds a PDF (checked by its content,
size-limited) and removes it; a candidate lists and downloads it."""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from pypdf import PdfWriter

from documents.settings import Settings
from shared.auth import Role
from shared.storage import STORE
from shared.testing.helpers import wait_until
from shared.testing.service import ServiceUnderTest, Start
from shared.testing.tokens import TestKeys
from tests.documents.unit.test_pdf import a_pdf, encrypted_pdf

PDF = {"Content-Type": "application/pdf"}


def bearer(test_keys: TestKeys, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {test_keys.token(role, account_id=uuid.uuid4())}"}


def stored_objects(service: ServiceUnderTest) -> set[str]:
    store = service.app[STORE]
    listed = store.client.list_objects(store.bucket, prefix="formulaires/", recursive=True)
    return {item.object_name for item in listed}


async def upload(
    service: ServiceUnderTest, test_keys: TestKeys, content: bytes, examen: str = "CAP"
) -> tuple[int, dict[str, object]]:
    response = await service.client.post(
        f"/api/v1/formulaires?examen={examen}&titre=Demande%20d%E2%80%99am%C3%A9nagement",
        data=content,
        headers={**PDF, **bearer(test_keys, Role.ADMINISTRATEUR)},
    )
    answer: dict[str, object] = await response.json()
    return response.status, answer


async def test_the_bts_offers_no_formulaire(service: ServiceUnderTest, test_keys: TestKeys) -> None:
    response = await service.client.get(
        "/api/v1/formulaires?examen=BTS", headers=bearer(test_keys, Role.CANDIDAT)
    )
    assert response.status == 200
    assert await response.json() == []


async def test_an_administrateur_adds_a_form_a_candidate_downloads_it_then_it_is_removed(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    pdf = a_pdf()
    status, added = await upload(service, test_keys, pdf)
    assert status == 201
    assert added["title"] == "Demande d’aménagement"
    assert (added["examen"], added["size"], added["pages"]) == ("CAP", len(pdf), 1)
    assert added["sha256"] == hashlib.sha256(pdf).hexdigest()

    candidat = bearer(test_keys, Role.CANDIDAT)
    listed = await (
        await service.client.get("/api/v1/formulaires?examen=CAP", headers=candidat)
    ).json()
    assert [form["id"] for form in listed] == [added["id"]]
    response = await service.client.get(f"/api/v1/formulaires/{added['id']}", headers=candidat)
    assert response.status == 200
    assert response.content_type == "application/pdf"
    assert await response.read() == pdf
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="formulaire-CAP-'
    )

    admin = bearer(test_keys, Role.ADMINISTRATEUR)
    response = await service.client.delete(f"/api/v1/formulaires/{added['id']}", headers=admin)
    assert response.status == 204
    listed = await (
        await service.client.get("/api/v1/formulaires?examen=CAP", headers=candidat)
    ).json()
    assert listed == []
    response = await service.client.get(f"/api/v1/formulaires/{added['id']}", headers=candidat)
    assert response.status == 404

    async def object_removed() -> bool:
        return stored_objects(service) == set()

    assert await wait_until(object_removed)


def large_pdf(size: int) -> bytes:
    """A valid PDF of at least `size` bytes (an attachment of random bytes)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("annexe.bin", os.urandom(size))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


async def test_a_form_larger_than_the_json_body_limit_is_streamed_and_stored(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    pdf = large_pdf(3 * 1024 * 1024)  # past the app's 1 MiB body limit and the memory spool
    status, added = await upload(service, test_keys, pdf)
    assert status == 201, added
    assert (added["size"], added["sha256"]) == (len(pdf), hashlib.sha256(pdf).hexdigest())
    response = await service.client.get(
        f"/api/v1/formulaires/{added['id']}", headers=bearer(test_keys, Role.CANDIDAT)
    )
    assert await response.read() == pdf


async def test_the_same_file_twice_is_one_formulaire(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    pdf = a_pdf()
    first_status, first = await upload(service, test_keys, pdf)
    again_status, again = await upload(service, test_keys, pdf)
    assert (first_status, again_status) == (201, 201)
    assert again["id"] == first["id"]
    count = await service.pool.fetchval("SELECT count(*) FROM formulaires")
    assert count == 1

    async def one_object() -> bool:
        return len(stored_objects(service)) == 1

    assert await wait_until(one_object)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty", b""),
        ("executable", b"MZ\x90\x00\x03" + bytes(4000)),
        ("truncated", a_pdf()[:3000]),
        ("encrypted", encrypted_pdf("secret")),
    ],
)
async def test_what_is_not_an_acceptable_pdf_is_a_422_and_stores_nothing(
    service: ServiceUnderTest, test_keys: TestKeys, name: str, content: bytes
) -> None:
    status, problem = await upload(service, test_keys, content)
    assert status == 422, name
    assert problem["type"] == "urn:cyclades:problem:pdf-refused"
    assert problem["errors"] == [{"field": "body", "message": problem["detail"], "code": name}]
    assert await service.pool.fetchval("SELECT count(*) FROM formulaires") == 0
    assert stored_objects(service) == set()


async def test_an_upload_over_the_limit_is_a_413_before_it_is_read(
    start: Start, bucket: str, test_keys: TestKeys
) -> None:
    service = await start(formulaire_max_bytes=4096)
    admin = {**PDF, **bearer(test_keys, Role.ADMINISTRATEUR)}
    big = b"%PDF-1.4\n" + bytes(64 * 1024)

    response = await service.client.post(
        "/api/v1/formulaires?examen=CAP&titre=Gros", data=big, headers=admin
    )
    assert response.status == 413
    assert response.content_type == "application/problem+json"

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: cut off while read
        for start_at in range(0, len(big), 1024):
            yield big[start_at : start_at + 1024]

    response = await service.client.post(
        "/api/v1/formulaires?examen=CAP&titre=Gros", data=chunked(), headers=admin
    )
    assert response.status == 413
    assert stored_objects(service) == set()


async def test_only_an_administrateur_adds_or_removes(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    for role in (Role.CANDIDAT, Role.GESTIONNAIRE):
        response = await service.client.post(
            "/api/v1/formulaires?examen=CAP&titre=X",
            data=a_pdf(),
            headers={**PDF, **bearer(test_keys, role)},
        )
        assert response.status == 403
        response = await service.client.delete(
            f"/api/v1/formulaires/{uuid.uuid4()}", headers=bearer(test_keys, role)
        )
        assert response.status == 403
    response = await service.client.get("/api/v1/formulaires?examen=CAP")
    assert response.status == 401
    response = await service.client.delete(
        f"/api/v1/formulaires/{uuid.uuid4()}", headers=bearer(test_keys, Role.ADMINISTRATEUR)
    )
    assert response.status == 404
    assert stored_objects(service) == set()


async def test_a_form_of_another_media_type_is_a_415(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    response = await service.client.post(
        "/api/v1/formulaires?examen=CAP&titre=X",
        data=a_pdf(),
        headers={
            "Content-Type": "text/plain",
            **bearer(test_keys, Role.ADMINISTRATEUR),
        },
    )
    assert response.status == 415


def test_the_default_limit_is_ten_mebibytes() -> None:
    assert Settings().formulaire_max_bytes == 10 * 1024 * 1024
