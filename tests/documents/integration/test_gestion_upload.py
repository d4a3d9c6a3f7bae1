"""A gestionnaire uploads a PDF for a candidature of their académie: checked by its content,
size-limited before it is all read, stored and announced once; anything else changes
nothing and leaves no object behind."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import uuid

import pytest
import pytest_asyncio
from minio import Minio
from pypdf import PdfReader, PdfWriter

from shared.storage import STORE
from shared.testing.infrastructure import S3Endpoint
from shared.testing.service import ServiceUnderTest, Start
from shared.testing.tokens import TestKeys
from tests.documents.integration.conftest import s3_client
from tests.documents.integration.gestion_helpers import (
    PDF,
    THREADS,
    a_pdf,
    candidat,
    gestionnaire,
    known,
    published_events,
)
from tests.shared.test_raw_body import status_of_a_body_that_never_comes

LIMIT = 64 * 1024


@pytest_asyncio.fixture(loop_scope="session")
async def service(start: Start, bucket: str) -> ServiceUnderTest:
    return await start(**THREADS, gestion_upload_max_bytes=LIMIT)


def path(candidature_id: uuid.UUID, title: str = "Convocation", kind: str = "convocation") -> str:
    return f"/api/v1/admin/candidatures/{candidature_id}/documents?title={title}&kind={kind}"


def bucket_objects(s3_server: S3Endpoint, bucket: str) -> list[str]:
    client: Minio = s3_client(s3_server)
    return [o.object_name or "" for o in client.list_objects(bucket, prefix="gestion/")]


async def test_an_uploaded_pdf_is_stored_listed_downloadable_and_announced_once(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    ref = (await known(service)).candidature
    pdf = a_pdf(2)
    response = await service.client.post(
        path(ref.candidature_id, "Convocation – écrit"),
        data=pdf,
        headers={**gestionnaire(test_keys), "Content-Type": PDF},
    )
    assert response.status == 201, await response.text()
    view = await response.json()
    assert (view["kind"], view["title"], view["source"]) == (
        "convocation",
        "Convocation – écrit",
        "upload",
    )
    row = await service.pool.fetchrow(
        "SELECT * FROM documents WHERE id = $1", uuid.UUID(view["id"])
    )
    stored = await service.app[STORE].read(row["object_key"])  # stamped (test_gestion_verification)
    assert stored.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(stored)).pages) == 2
    assert view["size"] == len(stored)
    assert view["sha256"] == hashlib.sha256(stored).hexdigest()
    assert row["object_key"].startswith("gestion/")
    (event,) = await published_events(service.pool, "convocation")
    assert event["document_id"] == view["id"]
    assert event["title"] == "Convocation – écrit"
    assert event["candidature"]["numero_inscription"] == ref.numero_inscription
    assert await service.pool.fetchval("SELECT count(*) FROM pending_objects") == 0

    headers = candidat(test_keys, ref.account_id)
    listed = await service.client.get(
        f"/api/v1/me/candidatures/{ref.candidature_id}/documents", headers=headers
    )
    assert view["id"] in [d["id"] for d in await listed.json()]
    download = await service.client.get(f"/api/v1/me/documents/{view['id']}", headers=headers)
    assert download.status == 200
    assert await download.read() == stored
    another = candidat(test_keys, uuid.uuid4())
    stranger = await service.client.get(f"/api/v1/me/documents/{view['id']}", headers=another)
    assert stranger.status == 404


async def test_the_same_idempotency_key_publishes_once_and_leaves_no_extra_object(
    service: ServiceUnderTest, test_keys: TestKeys, s3_server: S3Endpoint, bucket: str
) -> None:
    ref = (await known(service)).candidature
    headers = {**gestionnaire(test_keys), "Content-Type": PDF, "Idempotency-Key": "up-1"}
    pdf = a_pdf()
    first = await service.client.post(path(ref.candidature_id), data=pdf, headers=headers)
    again = await service.client.post(path(ref.candidature_id), data=pdf, headers=headers)
    assert (first.status, again.status) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert (await first.json())["id"] == (await again.json())["id"]
    assert len(await published_events(service.pool)) == 1
    assert len(bucket_objects(s3_server, bucket)) == 1

    other = await service.client.post(path(ref.candidature_id), data=a_pdf(3), headers=headers)
    assert other.status == 422
    assert (await other.json())["type"].endswith("idempotency-key-reused")
    assert len(bucket_objects(s3_server, bucket)) == 1


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(a_pdf())))
    writer.encrypt(user_password="secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"MZ\x90\x00" + b"\x00" * 2000, "executable"),
        (a_pdf()[:300], "truncated"),
        (encrypted_pdf(), "encrypted"),
        (b"", "empty"),
        (b"<html>not a pdf</html>", "unsupported-format"),
    ],
    ids=["executable", "truncated", "encrypted", "empty", "html"],
)
async def test_a_file_that_is_not_a_whole_pdf_is_refused_and_nothing_is_kept(
    service: ServiceUnderTest,
    test_keys: TestKeys,
    s3_server: S3Endpoint,
    bucket: str,
    data: bytes,
    reason: str,
) -> None:
    ref = (await known(service)).candidature
    response = await service.client.post(
        path(ref.candidature_id),
        data=data,
        headers={**gestionnaire(test_keys), "Content-Type": PDF},
    )
    assert response.status == 422
    problem = await response.json()
    assert response.content_type == "application/problem+json"
    assert problem["type"].endswith("pdf-refused")
    assert problem["errors"][0]["code"] == reason
    assert await published_events(service.pool) == []
    assert bucket_objects(s3_server, bucket) == []


async def test_one_byte_over_the_limit_is_a_413(
    service: ServiceUnderTest, test_keys: TestKeys, s3_server: S3Endpoint, bucket: str
) -> None:
    ref = (await known(service)).candidature
    headers = {**gestionnaire(test_keys), "Content-Type": PDF}
    response = await service.client.post(
        path(ref.candidature_id), data=b"%PDF-" + b"x" * (LIMIT - 4), headers=headers
    )
    assert response.status == 413
    assert (await response.json())["type"].endswith("body-too-large")
    assert bucket_objects(s3_server, bucket) == []


async def test_a_body_without_length_is_cut_off_at_the_limit(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    """Chunked: refused when the count passes the limit, not after the whole body."""
    ref = (await known(service)).candidature
    sent = 0

    async def endless() -> object:
        nonlocal sent
        for _ in range(10_000):  # 640 MB if it were all read
            sent += 64 * 1024
            yield b"x" * (64 * 1024)
            await asyncio.sleep(0)

    headers = {**gestionnaire(test_keys), "Content-Type": PDF}
    try:
        response = await service.client.post(
            path(ref.candidature_id), data=endless(), headers=headers
        )
        assert response.status == 413
    except (ConnectionError, OSError):
        pass  # the server may close the connection while the client still writes
    assert sent < 10_000 * 64 * 1024


async def test_the_limit_is_checked_from_content_length_before_reading(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    ref = (await known(service)).candidature
    headers = {**gestionnaire(test_keys), "Content-Type": PDF}
    target = path(ref.candidature_id)
    status_line = await status_of_a_body_that_never_comes(
        service.client, target, headers, LIMIT + 1
    )
    assert b" 413 " in status_line  # answered though 65 532 announced bytes never came


async def test_another_academie_or_role_cannot_upload(
    service: ServiceUnderTest, test_keys: TestKeys, s3_server: S3Endpoint, bucket: str
) -> None:
    ref = (await known(service)).candidature
    pdf = a_pdf()
    other = await service.client.post(
        path(ref.candidature_id),
        data=pdf,
        headers={**gestionnaire(test_keys, "LYO"), "Content-Type": PDF},
    )
    assert other.status == 404
    as_candidate = await service.client.post(
        path(ref.candidature_id),
        data=pdf,
        headers={**candidat(test_keys, ref.account_id), "Content-Type": PDF},
    )
    assert as_candidate.status == 403
    unknown = await service.client.post(
        path(uuid.uuid4()), data=pdf, headers={**gestionnaire(test_keys), "Content-Type": PDF}
    )
    assert unknown.status == 404
    assert await published_events(service.pool) == []
    assert bucket_objects(s3_server, bucket) == []


async def test_a_confirmation_cannot_be_uploaded_and_json_is_not_a_pdf(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    ref = (await known(service)).candidature
    headers = {**gestionnaire(test_keys), "Content-Type": PDF}
    response = await service.client.post(
        path(ref.candidature_id, kind="confirmation_inscription"), data=a_pdf(), headers=headers
    )
    assert response.status == 422
    response = await service.client.post(
        path(ref.candidature_id),
        data=b"{}",
        headers={**gestionnaire(test_keys), "Content-Type": "application/json"},
    )
    assert response.status == 415


async def test_an_object_whose_transaction_failed_is_removed(
    service: ServiceUnderTest, test_keys: TestKeys, s3_server: S3Endpoint, bucket: str
) -> None:
    """The candidature is erased between the check and the transaction: nothing recorded,
    and the object put before the transaction goes."""
    ref = (await known(service)).candidature
    await service.pool.execute(
        "INSERT INTO erased_accounts (account_id, erased_at) VALUES ($1, now())", ref.account_id
    )
    response = await service.client.post(
        path(ref.candidature_id),
        data=a_pdf(),
        headers={**gestionnaire(test_keys), "Content-Type": PDF},
    )
    assert response.status == 404
    assert bucket_objects(s3_server, bucket) == []
    assert await service.pool.fetchval("SELECT count(*) FROM pending_objects") == 0


async def test_an_upload_larger_than_the_app_body_limit_is_taken_up_to_its_own(
    start: Start, bucket: str, test_keys: TestKeys
) -> None:
    """The app-wide JSON body limit (1 MiB) does not bind the upload: its own limit does."""
    service = await start(**THREADS, max_body_bytes=1024 * 1024)
    ref = (await known(service)).candidature
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(a_pdf())))
    writer.add_attachment("annexe.bin", os.urandom(1_500_000))
    out = io.BytesIO()
    writer.write(out)
    pdf = out.getvalue()
    assert len(pdf) > 1024 * 1024
    response = await service.client.post(
        path(ref.candidature_id), data=pdf, headers={**gestionnaire(test_keys), "Content-Type": PDF}
    )
    assert response.status == 201, await response.text()
    assert (await response.json())["size"] > len(pdf)  # the whole file, and its stamp
