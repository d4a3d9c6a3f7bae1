"""`RawBody.read_within` and `spool_within`: a body over the endpoint's own limit is a 413 from
its declared length before a byte is read, or as soon as the count passes it (chunked); a body
of exactly the limit is taken whole, whatever the app's body limit; what `read_within` read is
the request's read body (the Idempotency-Key fingerprint and a replay see it); a spooled body's
file has its bytes and is removed after the block."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import BaseModel

from shared.http.api import Api, RawBody, body_was_read
from shared.http.app import create_app
from shared.settings import ServiceSettings

Client = TestClient[web.Request, web.Application]
APP_LIMIT = 2048
LIMIT = 4096  # over the app's: these reads are bounded by their own limit only
OCTETS = {"Content-Type": "application/octet-stream"}


class Received(BaseModel):
    size: int
    sha256: str
    kept: bool = False
    spooled_in: str = ""


def raw_api(spool_dir: Path) -> Api:
    api = Api()

    @api.post("/read", media_types=("application/octet-stream",), response=Received)
    async def read(request: web.Request, body: RawBody) -> Received:
        data = await body.read_within(LIMIT)
        fingerprinted = await request.read()  # what the Idempotency-Key claim hashes
        kept = body_was_read(request) and fingerprinted == data
        return Received(size=len(data), sha256=hashlib.sha256(data).hexdigest(), kept=kept)

    @api.post("/spool", media_types=("application/octet-stream",), response=Received)
    async def spool(request: web.Request, body: RawBody) -> Received:
        async with body.spool_within(LIMIT, spool_dir) as spooled:
            on_disk = spooled.path.read_bytes()
            assert (len(on_disk), hashlib.sha256(on_disk).hexdigest()) == (
                spooled.size,
                spooled.sha256,
            )
        return Received(
            size=spooled.size, sha256=spooled.sha256, spooled_in=str(spooled.path.parent)
        )

    return api


@pytest_asyncio.fixture
async def client(tmp_path: Path) -> AsyncIterator[Client]:
    app = create_app(
        ServiceSettings(max_body_bytes=APP_LIMIT), raw_api(tmp_path), title="raw", contexts=[]
    )
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def chunks_of(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        for start in range(0, len(data), size):
            yield data[start : start + size]
            await asyncio.sleep(0)

    return chunked()


async def is_413(response: ClientResponse) -> None:
    assert response.status == 413
    problem = await response.json()
    assert problem["type"] == "urn:cyclades:problem:body-too-large"
    assert str(LIMIT) in problem["detail"]


@pytest.mark.parametrize("route", ["/read", "/spool"])
async def test_a_body_of_exactly_the_limit_is_taken_whole(
    client: Client, route: str, tmp_path: Path
) -> None:
    data = bytes(range(256)) * (LIMIT // 256)
    assert len(data) == LIMIT
    for sent in (data, chunks_of(data)):
        response = await client.post(route, data=sent, headers=OCTETS)
        assert response.status == 200
        received = Received.model_validate(await response.json())
        assert (received.size, received.sha256) == (LIMIT, hashlib.sha256(data).hexdigest())
    if route == "/read":
        assert received.kept
    else:
        assert received.spooled_in == str(tmp_path)
        assert os.listdir(tmp_path) == []  # removed after the block


@pytest.mark.parametrize("route", ["/read", "/spool"])
async def test_one_byte_over_the_limit_is_a_413(client: Client, route: str, tmp_path: Path) -> None:
    data = b"x" * (LIMIT + 1)
    await is_413(await client.post(route, data=data, headers=OCTETS))
    await is_413(await client.post(route, data=chunks_of(data), headers=OCTETS))
    assert os.listdir(tmp_path) == []  # a refused spool leaves no file


async def status_of_a_body_that_never_comes(
    client: TestClient[Any, Any], target: str, headers: dict[str, str], declared: int
) -> bytes:
    """The status line answered to a request announcing `declared` bytes of which only a few
    are sent: a 413 here was decided from `Content-Length`, before the body was read."""
    assert client.server.host is not None
    assert client.server.port is not None
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    fields = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    head = f"POST {target} HTTP/1.1\r\nHost: x\r\n{fields}Content-Length: {declared}\r\n\r\n"
    writer.write(head.encode() + b"%PDF-")
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=10)
    writer.close()
    return status_line


@pytest.mark.parametrize("route", ["/read", "/spool"])
async def test_a_declared_length_over_the_limit_is_a_413_before_any_byte_is_read(
    client: Client, route: str
) -> None:
    status_line = await status_of_a_body_that_never_comes(client, route, OCTETS, LIMIT + 1)
    assert b" 413 " in status_line


async def test_a_chunked_body_is_cut_off_as_soon_as_it_passes_the_limit(client: Client) -> None:
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(10_000):  # 640 MB if it were all read
            sent += 64 * 1024
            yield b"x" * (64 * 1024)
            await asyncio.sleep(0)

    try:
        response = await client.post("/read", data=endless(), headers=OCTETS)
        assert response.status == 413
    except (ConnectionError, OSError):
        pass  # the server may close the connection while the client still writes
    assert sent < 10_000 * 64 * 1024
