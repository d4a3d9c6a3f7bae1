"""The service started against the test servers (PostgreSQL, RabbitMQ, the S3 server) on a
bucket of its own, and helpers to read back what it stored."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient
from minio import Minio

from documents.app import build_app
from documents.settings import Settings
from shared.testing.infrastructure import S3Endpoint
from shared.testing.service import ServiceUnderTest, Start, starter

Client = TestClient[web.Request, web.Application]


def s3_client(s3: S3Endpoint) -> Minio:
    return Minio(s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=False)


@pytest.fixture
def bucket_name() -> str:
    return f"documents-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def bucket(s3_server: S3Endpoint, bucket_name: str) -> str:
    """The service's bucket, created for this test (a test wanting it missing leaves this out)."""
    client = s3_client(s3_server)
    client.make_bucket(bucket_name)
    return bucket_name


@pytest.fixture
def settings(service_settings: dict[str, Any], s3_server: S3Endpoint, bucket_name: str) -> Settings:
    return Settings(
        **service_settings,
        s3_endpoint=s3_server.endpoint,
        s3_access_key=s3_server.access_key,
        s3_secret_key=s3_server.secret_key,
        s3_bucket=bucket_name,
        render_poll_interval_s=0.1,
        render_retry_initial_s=0.1,
        render_retry_max_s=0.3,
    )


@pytest.fixture
def start(settings: Settings, serve: Callable[[web.Application], Awaitable[Client]]) -> Start:
    """`await start(render_processes=0)`: one more replica, its settings overridden."""
    return starter(build_app, settings, serve)


@pytest_asyncio.fixture(loop_scope="session")
async def service(start: Start, bucket: str) -> ServiceUnderTest:
    return await start()
