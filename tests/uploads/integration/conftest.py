"""The service started against the test servers (PostgreSQL, RabbitMQ, the S3 server) on a
bucket of its own, and a clamd of the tests' own (Debian's clamav-daemon with the EICAR
signatures; `TEST_CLAMD_ADDRESS` names another)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient
from minio import Minio

from shared.testing.clamd import running_clamd
from shared.testing.infrastructure import S3Endpoint
from shared.testing.service import ServiceUnderTest, Start, starter
from uploads.app import build_app
from uploads.settings import Settings

Client = TestClient[web.Request, web.Application]


def s3_client(s3: S3Endpoint) -> Minio:
    return Minio(s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=False)


@pytest.fixture(scope="session")
def clamd_address() -> Iterator[str]:
    with running_clamd() as address:
        yield address


@pytest.fixture
def bucket_name() -> str:
    return f"pieces-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def bucket(s3_server: S3Endpoint, bucket_name: str) -> str:
    s3_client(s3_server).make_bucket(bucket_name)
    return bucket_name


@pytest.fixture
def settings(
    service_settings: dict[str, Any], s3_server: S3Endpoint, bucket_name: str, clamd_address: str
) -> Settings:
    return Settings(
        **service_settings,
        s3_endpoint=s3_server.endpoint,
        s3_access_key=s3_server.access_key,
        s3_secret_key=s3_server.secret_key,
        s3_bucket=bucket_name,
        clamd_address=clamd_address,
    )


@pytest.fixture
def start(settings: Settings, serve: Callable[[web.Application], Awaitable[Client]]) -> Start:
    return starter(build_app, settings, serve)


@pytest_asyncio.fixture(loop_scope="session")
async def service(start: Start, bucket: str) -> ServiceUnderTest:
    return await start()
