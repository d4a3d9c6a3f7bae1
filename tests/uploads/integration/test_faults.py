"""Faults: an S3 server that goes away during an upload, clamd down, a record that fails after
the put. A clear 503 (or the failure), nothing half-recorded, no object left behind."""

from __future__ import annotations

import asyncpg
import pytest
from moto.server import ThreadedMotoServer
from pydantic import SecretStr

from shared.storage import STORE
from shared.testing.infrastructure import S3Endpoint, free_port
from shared.testing.service import Start
from shared.testing.tokens import TestKeys
from tests.uploads import samples
from tests.uploads.integration.conftest import s3_client
from tests.uploads.integration.helpers import dossier, objects
from uploads.adapters import files_sql
from uploads.adapters.files_sql import NewFile


async def problem_type(response: object) -> str:
    body = await response.json()  # type: ignore[attr-defined]
    return str(body["type"]).rsplit(":", 1)[-1]


async def test_an_s3_outage_during_the_upload_is_a_503_and_records_nothing(
    start: Start, test_keys: TestKeys
) -> None:
    port = free_port()
    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    s3.start()
    endpoint = S3Endpoint(f"127.0.0.1:{port}", "testing", "testing")
    service = await start(
        s3_endpoint=endpoint.endpoint,
        s3_access_key=endpoint.access_key,
        s3_secret_key=SecretStr(endpoint.secret_key),
    )
    s3_client(endpoint).make_bucket(service.app[STORE].bucket)
    found = await dossier(service, test_keys)
    piece = await found.piece("IDENTITE")
    s3.stop()

    response = await found.upload(piece["id"], samples.pdf())
    assert response.status == 503
    assert await problem_type(response) == "storage-unavailable"
    assert response.headers["Retry-After"] == "5"
    assert await service.pool.fetchval("SELECT count(*) FROM piece_files") == 0
    assert (await found.piece("IDENTITE"))["files"] == []
    ready = await service.client.get("/health/ready")
    assert ready.status == 503


async def test_clamd_down_is_a_503_and_nothing_is_accepted_unscanned(
    start: Start, bucket: str, test_keys: TestKeys
) -> None:
    service = await start(clamd_address="/nonexistent/clamd.sock")
    found = await dossier(service, test_keys)
    piece = await found.piece("IDENTITE")
    response = await found.upload(piece["id"], samples.pdf())
    assert response.status == 503
    assert await problem_type(response) == "scanner-unavailable"
    assert await service.pool.fetchval("SELECT count(*) FROM piece_files") == 0
    assert await objects(service) == []


async def test_a_record_that_fails_after_the_put_removes_the_object(
    start: Start, bucket: str, test_keys: TestKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def failing(conn: asyncpg.Connection, new: NewFile) -> asyncpg.Record:
        raise RuntimeError("the database went away after the put")

    service = await start()
    found = await dossier(service, test_keys)
    piece = await found.piece("IDENTITE")
    monkeypatch.setattr(files_sql, "insert", failing)
    response = await found.upload(piece["id"], samples.pdf())
    assert response.status == 500
    assert await objects(service) == []
    assert await service.pool.fetchval("SELECT count(*) FROM piece_files") == 0
