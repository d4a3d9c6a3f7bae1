"""Object storage through the S3 API (MinIO in compose, moto's server in tests): one bucket per
service, objects under generated keys, never user file names.

The `minio` client is synchronous (urllib3), so every call runs in a thread: the event loop
never waits on the network. Objects are put from a file-like object of known length and read
back in chunks, so neither direction holds a whole file in memory. A bucket that cannot be
reached makes the service not ready (`/health/ready`), and the outage is reported once.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import BinaryIO

from aiohttp import web
from minio import Minio
from minio.error import InvalidResponseError, S3Error, ServerError
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict
from urllib3.exceptions import HTTPError

from shared.outages import Outage
from shared.settings import ServiceSettings

# What a call to the S3 server raises when the server, or the way to it, fails.
STORAGE_ERRORS = (S3Error, ServerError, InvalidResponseError, HTTPError, OSError)

STORAGE = Outage("storage")
READ_CHUNK = 256 * 1024
# Readiness must answer fast, whatever the S3 server does.
READY_TIMEOUT_S = 2.0


class StorageSettings(ServiceSettings):
    """The settings of a service that stores files (env `<PREFIX>S3_…`): subclass this one."""

    model_config = SettingsConfigDict(env_prefix="SERVICE_", extra="ignore", frozen=True)

    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = "minioadmin"
    s3_secret_key: SecretStr = SecretStr("minioadmin")
    s3_secure: bool = False


@dataclass(frozen=True)
class Stored:
    key: str
    size: int
    sha256: str


class ObjectStore:
    """One bucket, called off the event loop."""

    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    @classmethod
    def connect(cls, settings: StorageSettings, bucket: str) -> ObjectStore:
        client = Minio(
            settings.s3_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key.get_secret_value(),
            secure=settings.s3_secure,
        )
        return cls(client, bucket)

    async def put(self, key: str, data: bytes, content_type: str) -> Stored:
        """Store `data` under `key`; the size and SHA-256 are the caller's to record."""
        digest = hashlib.sha256(data).hexdigest()
        await self.put_stream(key, io.BytesIO(data), len(data), content_type)
        return Stored(key, len(data), digest)

    async def put_stream(self, key: str, stream: BinaryIO, length: int, content_type: str) -> None:
        await asyncio.to_thread(
            self.client.put_object, self.bucket, key, stream, length, content_type
        )

    async def chunks(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes, `READ_CHUNK` at a time."""
        response = await asyncio.to_thread(self.client.get_object, self.bucket, key)
        try:
            while chunk := await asyncio.to_thread(response.read, READ_CHUNK):
                yield chunk
        finally:
            response.close()
            response.release_conn()

    async def read(self, key: str) -> bytes:
        return b"".join([chunk async for chunk in self.chunks(key)])

    async def remove(self, key: str) -> None:
        await asyncio.to_thread(self.client.remove_object, self.bucket, key)

    async def exists(self, key: str) -> bool:
        try:
            await asyncio.to_thread(self.client.stat_object, self.bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject"):
                return False
            raise
        return True

    async def ready(self) -> bool:
        """The bucket answers: the server is up and the bucket exists."""
        try:
            async with asyncio.timeout(READY_TIMEOUT_S):
                found = await asyncio.to_thread(self.client.bucket_exists, self.bucket)
        except (HTTPError, OSError, S3Error, TimeoutError) as exc:
            STORAGE.failed(exc)
            return False
        STORAGE.answered()
        return bool(found)


STORE = web.AppKey("object_store", ObjectStore)


def object_store(bucket: str) -> Callable[[web.Application], AsyncIterator[None]]:
    """The cleanup context: `app[STORE]`, the service's bucket, checked at readiness."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        from shared.http.keys import SETTINGS  # the keys module imports the whole bus

        settings = app[SETTINGS]
        if not isinstance(settings, StorageSettings):
            raise TypeError("a service with an object store has StorageSettings")
        app[STORE] = ObjectStore.connect(settings, bucket)
        yield

    return context
