"""Finding or starting the servers the tests talk to."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


def docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "info"], capture_output=True, timeout=20, check=False)
    return probe.returncode == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class NoServer(RuntimeError):
    pass


@contextmanager
def postgres_dsn() -> Iterator[str]:
    if dsn := os.environ.get("TEST_POSTGRES_DSN"):
        yield dsn
        return
    if not docker_available():
        raise NoServer("set TEST_POSTGRES_DSN (no Docker engine to start PostgreSQL)")
    from testcontainers.community.postgres import PostgresContainer

    with PostgresContainer("postgres:16-alpine", driver=None) as container:
        yield container.get_connection_url()


@contextmanager
def amqp_url() -> Iterator[str]:
    if url := os.environ.get("TEST_AMQP_URL"):
        yield url
        return
    if not docker_available():
        raise NoServer("set TEST_AMQP_URL (no Docker engine to start RabbitMQ)")
    from testcontainers.community.rabbitmq import RabbitMqContainer

    with RabbitMqContainer("rabbitmq:3.13-alpine") as container:
        port = container.get_exposed_port(container.port)
        yield f"amqp://guest:guest@{container.get_container_host_ip()}:{port}/"


@dataclass(frozen=True)
class S3Endpoint:
    endpoint: str  # host:port, as the minio client takes it
    access_key: str
    secret_key: str
    secure: bool = False


@contextmanager
def s3_endpoint() -> Iterator[S3Endpoint]:
    if endpoint := os.environ.get("TEST_S3_ENDPOINT"):
        yield S3Endpoint(
            endpoint,
            os.environ.get("TEST_S3_ACCESS_KEY", "minioadmin"),
            os.environ.get("TEST_S3_SECRET_KEY", "minioadmin"),
        )
        return
    if docker_available():
        from testcontainers.community.minio import MinioContainer

        with MinioContainer() as minio:
            config = minio.get_config()
            yield S3Endpoint(config["endpoint"], config["access_key"], config["secret_key"])
        return
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        yield S3Endpoint(f"127.0.0.1:{port}", "testing", "testing")
    finally:
        server.stop()
