"""A form that is not one: a clear problem, nothing recorded."""

from __future__ import annotations

import pytest

from shared.testing.service import ServiceUnderTest
from shared.testing.tokens import TestKeys
from tests.uploads.integration.helpers import dossier


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"no boundary at all"),
        ("multipart/form-data; boundary=x", b"garbage without the boundary"),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="other"\r\n\r\nvalue\r\n--x--\r\n',
        ),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
            b"%PDF-1.7 and no closing boundary",
        ),
    ],
    ids=["no-boundary", "garbage", "no-file-field", "cut-short"],
)
async def test_a_malformed_form_is_a_problem(
    service: ServiceUnderTest, test_keys: TestKeys, content_type: str, body: bytes
) -> None:
    found = await dossier(service, test_keys)
    piece = await found.piece("IDENTITE")
    response = await service.client.post(
        f"{found.url}/pieces/{piece['id']}/files",
        data=body,
        headers={**found.headers, "Content-Type": content_type},
    )
    assert response.status in (400, 422), await response.text()
    assert response.content_type == "application/problem+json"
    assert await service.pool.fetchval("SELECT count(*) FROM piece_files") == 0
