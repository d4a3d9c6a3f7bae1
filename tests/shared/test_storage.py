"""The shared object store against the S3 server of the fixtures: objects under generated keys
come back whole, with their size and SHA-256, and readiness says whether the bucket answers."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator

import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from minio import Minio

from shared.http.api import Api
from shared.http.app import create_app
from shared.storage import STORE, ObjectStore, StorageSettings, object_store
from shared.testing.infrastructure import S3Endpoint

Client = TestClient[web.Request, web.Application]


def settings_for(endpoint: S3Endpoint) -> StorageSettings:
    return StorageSettings(
        s3_endpoint=endpoint.endpoint,
        s3_access_key=endpoint.access_key,
        s3_secret_key=endpoint.secret_key,
        s3_secure=endpoint.secure,
    )


@pytest_asyncio.fixture
async def bucket(s3_server: S3Endpoint) -> AsyncIterator[str]:
    name = f"test-{uuid.uuid4().hex[:12]}"
    client = ObjectStore.connect(settings_for(s3_server), name).client
    await asyncio.to_thread(client.make_bucket, name)
    yield name
    await _empty_and_remove(client, name)


async def _empty_and_remove(client: Minio, name: str) -> None:
    for found in await asyncio.to_thread(lambda: list(client.list_objects(name))):
        await asyncio.to_thread(client.remove_object, name, found.object_name)
    await asyncio.to_thread(client.remove_bucket, name)


async def serve(bucket: str, endpoint: S3Endpoint) -> Client:
    app = create_app(settings_for(endpoint), Api(), title="t", contexts=[object_store(bucket)])
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_an_object_comes_back_whole_with_its_size_and_sha256(
    bucket: str, s3_server: S3Endpoint
) -> None:
    store = ObjectStore.connect(settings_for(s3_server), bucket)
    content = b"%PDF-1.7 " + bytes(range(256)) * 4096  # over one read chunk
    key = str(uuid.uuid4())

    stored = await store.put(key, content, "application/pdf")

    assert (stored.size, stored.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert await store.read(key) == content
    assert len([chunk async for chunk in store.chunks(key)]) > 1
    assert await store.exists(key)
    await store.remove(key)
    assert not await store.exists(key)


async def test_readiness_checks_the_bucket(bucket: str, s3_server: S3Endpoint) -> None:
    client = await serve(bucket, s3_server)
    try:
        answer = await (await client.get("/health/ready")).json()
        assert answer["checks"]["storage"] is True
        assert isinstance(client.app[STORE], ObjectStore)
    finally:
        await client.close()

    missing = await serve(f"missing-{uuid.uuid4().hex[:8]}", s3_server)
    try:
        response = await missing.get("/health/ready")
        assert response.status == 503
        assert (await response.json())["checks"]["storage"] is False
    finally:
        await missing.close()
