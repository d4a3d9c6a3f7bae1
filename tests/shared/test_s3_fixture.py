"""The S3 server the fixtures provide (moto's without Docker, MinIO with it) takes and gives
back objects through the `minio` client the services use, called off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import io
import uuid

from minio import Minio

from shared.testing.infrastructure import S3Endpoint


def client(endpoint: S3Endpoint) -> Minio:
    return Minio(
        endpoint.endpoint,
        access_key=endpoint.access_key,
        secret_key=endpoint.secret_key,
        secure=endpoint.secure,
    )


async def test_an_object_stored_under_a_generated_key_comes_back_whole(
    s3_server: S3Endpoint,
) -> None:
    s3 = client(s3_server)
    bucket, key = f"test-{uuid.uuid4().hex[:12]}", str(uuid.uuid4())
    content = b"%PDF-1.7 " + bytes(range(256)) * 64

    await asyncio.to_thread(s3.make_bucket, bucket)
    await asyncio.to_thread(
        s3.put_object, bucket, key, io.BytesIO(content), len(content), "application/pdf"
    )
    response = await asyncio.to_thread(s3.get_object, bucket, key)
    try:
        fetched = response.read()
    finally:
        response.close()
        response.release_conn()

    assert hashlib.sha256(fetched).digest() == hashlib.sha256(content).digest()
    stat = await asyncio.to_thread(s3.stat_object, bucket, key)
    assert stat.size == len(content)
