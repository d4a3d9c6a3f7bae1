"""Uploads: streamed and counted, scanned by clamd, the format decided by the content, stored
under a generated key with its size and SHA-256; every bad file of the issue refused with
nothing recorded and no object left."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import resource
import uuid
from datetime import timedelta

import pytest

from shared.storage import STORE
from shared.testing.service import ServiceUnderTest
from shared.testing.tokens import TestKeys
from tests.uploads import samples
from tests.uploads.integration.helpers import Dossier, candidat, dossier, objects

MB = 1024 * 1024


async def files_recorded(service: ServiceUnderTest) -> int:
    count: int = await service.pool.fetchval("SELECT count(*) FROM piece_files")
    return count


async def test_a_pdf_is_stored_under_a_generated_key_with_its_hash(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    found = await dossier(service, test_keys)
    piece = await found.piece("IDENTITE")
    data = samples.pdf()

    response = await found.upload(piece["id"], data, filename="carte d'identité.pdf")
    assert response.status == 201, await response.text()
    body = await response.json()
    assert body["media_type"] == "application/pdf"
    assert (body["size"], body["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert body["name"] == "carte d'identité.pdf"

    row = await service.pool.fetchrow(
        "SELECT * FROM piece_files WHERE id = $1", uuid.UUID(body["id"])
    )
    assert "identit" not in row["object_key"]
    assert await service.app[STORE].read(row["object_key"]) == data
    piece = await found.piece("IDENTITE")
    assert [f["id"] for f in piece["files"]] == [body["id"]]
    assert piece["deposited_at"] == body["deposited_at"]

    url = f"{found.url}/pieces/{piece['id']}/files/{body['id']}"
    download = await service.client.get(url, headers=found.headers)
    assert download.status == 200
    assert await download.read() == data
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    other = await service.client.get(url, headers=candidat(test_keys, uuid.uuid4()))
    assert other.status == 404


async def test_a_pdf_sent_as_a_jpeg_is_a_pdf(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    found = await dossier(service, test_keys)
    piece = await found.piece("IDENTITE")
    response = await found.upload(piece["id"], samples.pdf(), "photo.jpg", "image/jpeg")
    assert response.status == 201
    assert (await response.json())["media_type"] == "application/pdf"


async def test_images_are_accepted(service: ServiceUnderTest, test_keys: TestKeys) -> None:
    found = await dossier(service, test_keys)
    piece = await found.piece("IDENTITE")
    for data, media_type in ((samples.jpeg(), "image/jpeg"), (samples.png(), "image/png")):
        response = await found.upload(piece["id"], data, "scan", "application/octet-stream")
        assert response.status == 201
        assert (await response.json())["media_type"] == media_type


async def refused(
    found: Dossier, data: bytes, status: int, slug: str, filename: str = "piece.pdf"
) -> None:
    piece = await found.piece("IDENTITE")
    response = await found.upload(piece["id"], data, filename)
    body = await response.json()
    assert (response.status, body["type"]) == (status, f"urn:cyclades:problem:{slug}"), body
    assert await files_recorded(found.service) == 0
    assert await objects(found.service) == []


@pytest.mark.parametrize(
    ("data", "slug"),
    [
        (samples.windows_executable(), "file-refused"),
        (samples.polyglot(), "file-refused"),
        (samples.truncated_pdf(), "file-refused"),
        (samples.png_bomb(), "file-refused"),
        (b"", "file-refused"),
        (samples.EICAR, "file-infected"),
        (samples.pdf().replace(b"%%EOF", b"%" + samples.EICAR + b"\n%%EOF"), "file-infected"),
    ],
    ids=["exe-renamed-pdf", "polyglot", "truncated-pdf", "png-bomb", "empty", "eicar", "pdf-eicar"],
)
async def test_a_bad_file_is_refused_and_nothing_kept(
    service: ServiceUnderTest, test_keys: TestKeys, data: bytes, slug: str
) -> None:
    await refused(await dossier(service, test_keys), data, 422, slug)


async def limited(found: Dossier, max_bytes: int) -> str:
    piece = await found.piece("IDENTITE")
    await found.service.pool.execute(
        "UPDATE pieces SET max_bytes = $2 WHERE id = $1", uuid.UUID(piece["id"]), max_bytes
    )
    return str(piece["id"])


async def test_the_limit_is_exact(service: ServiceUnderTest, test_keys: TestKeys) -> None:
    found = await dossier(service, test_keys)
    data = samples.pdf(padding=100_000)
    piece_id = await limited(found, len(data))
    over = await found.upload(piece_id, data + b"\n")
    assert over.status == 413
    assert (await over.json())["type"] == "urn:cyclades:problem:file-too-large"
    assert await files_recorded(service) == 0
    exact = await found.upload(piece_id, data)
    assert exact.status == 201


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def raw_upload(
    service: ServiceUnderTest, path: str, headers: dict[str, str], body: int, declared: bool
) -> tuple[int, int]:
    """Sends `body` bytes of zeros as a PDF part on a socket of its own, reading the answer
    while it writes: (status, bytes sent when the answer came)."""
    host, port = service.client.host, service.client.port
    reader, writer = await asyncio.open_connection(host, port)
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    head += "Content-Type: multipart/form-data; boundary=b0undary\r\n"
    head += f"Content-Length: {body}\r\n" if declared else "Transfer-Encoding: chunked\r\n"
    preamble = (
        b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
    )
    sent = 0

    async def write() -> None:
        nonlocal sent
        writer.write(head.encode() + b"\r\n")
        chunk = preamble + bytes(MB - len(preamble))
        with contextlib.suppress(ConnectionError):
            while sent < body:
                writer.write(chunk if declared else b"%x\r\n%s\r\n" % (len(chunk), chunk))
                await writer.drain()
                sent += len(chunk)
                chunk = bytes(MB)

    writing = asyncio.create_task(write())
    status_line = await reader.readline()
    answered_after = sent
    writing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await writing
    writer.close()
    return int(status_line.split()[1]), answered_after


async def test_a_200_mb_upload_is_refused_early_without_growing_memory(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    found = await dossier(service, test_keys)
    piece = await found.piece("IDENTITE")
    path = f"{found.url}/pieces/{piece['id']}/files"
    before = max_rss_mb()

    # Declared: refused on its Content-Length, before the body is read.
    status, sent = await raw_upload(service, path, found.headers, 200 * MB, declared=True)
    assert status == 413
    assert sent < 100 * MB
    # Not declared (chunked): refused once the count passes the limit (10 MiB), the rest
    # never read.
    status, sent = await raw_upload(service, path, found.headers, 200 * MB, declared=False)
    assert status == 413
    assert sent < 100 * MB
    assert await files_recorded(service) == 0
    assert await objects(service) == []
    assert max_rss_mb() - before < 50


async def test_bad_file_names_are_display_text_only(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    found = await dossier(service, test_keys)
    piece = await found.piece("IDENTITE")
    names = {
        "../../../etc/passwd.pdf": "passwd.pdf",
        "carte\x00.pdf": "carte.pdf",
        "a\r\nX-Injected: 1.pdf": "a X-Injected: 1.pdf",
        "x" * 300 + ".pdf": "x" * 116 + ".pdf",
        "😀🎓📄": "😀🎓📄",
    }
    for raw, shown in names.items():
        response = await found.upload(piece["id"], samples.pdf(), raw) if raw != "😀🎓📄" else None
        if response is None:  # the fifth goes as a replacement: a pièce holds five files
            current = (await found.piece("IDENTITE"))["files"][0]["id"]
            response = await found.upload(piece["id"], samples.pdf(), raw, replaces=current)
        assert response.status == 201, (raw, await response.text())
        assert (await response.json())["name"] == shown
    keys = await service.pool.fetch("SELECT object_key FROM piece_files")
    assert all(row["object_key"].startswith("pieces/") for row in keys)


async def test_an_upload_is_open_until_the_date_limite(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    found = await dossier(service, test_keys)
    (groupe,) = (await found.pieces())["groupes"]
    piece = groupe["pieces"][0]
    limit = await service.pool.fetchval(
        "SELECT date_limite FROM groupes WHERE id = $1", uuid.UUID(groupe["id"])
    )
    service.clock.set(limit - timedelta(seconds=1))
    assert (await found.upload(piece["id"], samples.pdf())).status == 201
    service.clock.set(limit + timedelta(seconds=1))
    late = await found.upload(piece["id"], samples.pdf())
    assert late.status == 409
    assert (await late.json())["type"] == "urn:cyclades:problem:deadline-passed"
    assert await files_recorded(service) == 1


async def test_another_candidates_piece_is_a_404(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    mine = await dossier(service, test_keys)
    theirs = await dossier(service, test_keys)
    piece = await theirs.piece("IDENTITE")
    response = await theirs.upload(
        piece["id"], samples.pdf(), headers=candidat(test_keys, mine.ref.account_id)
    )
    assert response.status == 404
    response = await mine.upload(piece["id"], samples.pdf())  # my candidature, their pièce
    assert response.status == 404
    assert await files_recorded(service) == 0


async def test_a_replaced_file_stays_in_the_history_and_a_deleted_one_too(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    found = await dossier(service, test_keys)
    piece = await found.piece("IDENTITE")
    first = await (await found.upload(piece["id"], samples.pdf(), "recto.pdf")).json()
    service.clock.advance(timedelta(seconds=1))
    second = await found.upload(piece["id"], samples.jpeg(), "recto.jpg", replaces=first["id"])
    assert second.status == 201
    second_id = (await second.json())["id"]
    assert [f["id"] for f in (await found.piece("IDENTITE"))["files"]] == [second_id]

    deleted = await service.client.delete(
        f"{found.url}/pieces/{piece['id']}/files/{second_id}", headers=found.headers
    )
    assert deleted.status == 204
    assert (await found.piece("IDENTITE"))["files"] == []
    rows = await service.pool.fetch("SELECT * FROM piece_files ORDER BY deposited_at, id")
    assert [(r["replaced_by"], r["deleted_at"] is not None) for r in rows] == [
        (uuid.UUID(second_id), False),
        (None, True),
    ]
    assert len(await objects(service)) == 2  # both objects kept for the history
