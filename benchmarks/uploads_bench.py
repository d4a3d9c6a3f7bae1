"""Benchmark: uploads of 1 MB and 10 MB PDFs per second through the uploads service, with clamd
scanning and without (a stand-in clamd that answers OK at once), next to a bare `minio` put
loop and a bare clamd INSTREAM loop of the same files at the same concurrency, in the same run;
and the service's peak RSS during 16 concurrent 10 MB uploads.

    TEST_POSTGRES_DSN=postgresql://postgres@127.0.0.1:5432/postgres \\
    TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5672/ \\
    .venv/bin/python -m benchmarks.uploads_bench [--small 60] [--large 20] [--concurrency 4]

The service runs as a process of its own (`python -m uploads`), so that its memory is its own:
the peak is the kernel's VmHWM, reset just before the 16 uploads. The S3 server is moto's
(`moto_server`, a process of its own); clamd is Debian's with the EICAR signatures only (see
shared/testing/clamd.py), so the scan measures clamd's engine on these files, not a full
signature database (which costs more per file). Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import struct
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from minio import Minio
from pydantic import SecretStr

from shared.auth import Role
from shared.bus.broker import Broker
from shared.storage import ObjectStore, StorageSettings
from shared.testing import factories
from shared.testing.clamd import running_clamd
from shared.testing.helpers import publish_event
from shared.testing.infrastructure import free_port
from shared.testing.plugin import create_database, drop_database
from shared.testing.process import ServiceProcess
from shared.testing.tokens import TestKeys
from tests.uploads import samples
from tests.uploads.integration.helpers import B, multipart
from uploads.adapters.clamd import Clamd

MB = 1_000_000


async def concurrently(count: int, concurrency: int, one: Callable[[int], Awaitable[Any]]) -> float:
    """`count` calls of `one`, `concurrency` at a time: calls per second."""
    queue = iter(range(count))

    async def worker() -> None:
        for index in queue:
            await one(index)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / (time.perf_counter() - started)


async def fake_clamd(path: str) -> asyncio.Server:
    """Reads an INSTREAM to its end and answers OK: the service without the scanner's cost."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        command = await reader.readuntil(b"\0")
        if command == b"zINSTREAM\0":
            while size := struct.unpack(">I", await reader.readexactly(4))[0]:
                await reader.readexactly(size)
            writer.write(b"stream: OK\0")
        else:
            writer.write(b"PONG\0")
        await writer.drain()
        writer.close()

    return await asyncio.start_unix_server(serve, path)


class Bench:
    def __init__(self, arguments: argparse.Namespace, endpoint: str, folder: Path) -> None:
        self.arguments = arguments
        self.endpoint = endpoint
        self.folder = folder
        self.keys = TestKeys()

    def values(self, dsn: str, clamd: str, tag: str) -> dict[str, Any]:
        return {
            "environment": "test",
            "log_level": "WARNING",
            "database_url": dsn,
            "amqp_url": self.arguments.amqp,
            "events_exchange": f"bench-events.{tag}",
            "queue_prefix": f"bench.{tag}",
            "jwt_jwks": json.dumps(self.keys.jwks),
            "jwt_audience": self.keys.audience,
            "jwt_issuer": self.keys.issuer,
            "s3_endpoint": self.endpoint,
            "s3_access_key": "testing",
            "s3_secret_key": "testing",
            "clamd_address": clamd,
            "max_files_per_piece": 50,
            "spool_dir": str(self.folder),
        }

    async def pieces(self, service: ServiceProcess, dsn: str, tag: str, count: int) -> list[Any]:
        """`count` candidatures published on the bus; their pièces as (url, headers)."""
        broker = Broker(self.arguments.amqp, f"bench-events.{tag}")
        await broker.connect()
        created = [factories.candidature_created() for _ in range(count)]
        for event in created:
            await publish_event(broker, event, producer="registration")
        await broker.close()
        conn = await asyncpg.connect(dsn)
        try:
            while await conn.fetchval("SELECT count(*) FROM pieces") < count:
                await asyncio.sleep(0.05)
            rows = await conn.fetch(
                "SELECT p.id, p.candidature_id, c.account_id FROM pieces p "
                "JOIN candidatures c USING (candidature_id)"
            )
        finally:
            await conn.close()
        base = f"http://127.0.0.1:{service.port}/api/v1/me/candidatures"
        return [
            (
                f"{base}/{row['candidature_id']}/pieces/{row['id']}/files",
                {
                    "Authorization": "Bearer "
                    + self.keys.token(Role.CANDIDAT, account_id=row["account_id"]),
                    "Content-Type": f"multipart/form-data; boundary={B}",
                },
            )
            for row in rows
        ]

    async def uploads(
        self, session: aiohttp.ClientSession, targets: list[Any], body: bytes, count: int, conc: int
    ) -> float:
        async def one(index: int) -> None:
            url, headers = targets[index % len(targets)]
            async with session.post(url, data=body, headers=headers) as response:
                assert response.status == 201, await response.text()

        return await concurrently(count, conc, one)

    async def service_run(
        self, clamd: str, bodies: dict[str, bytes], peak: bool
    ) -> dict[str, float]:
        tag = uuid.uuid4().hex[:8]
        dsn = await create_database(self.arguments.postgres)
        log = self.folder / f"uploads-{tag}.log"
        service = ServiceProcess("uploads", self.values(dsn, clamd, tag), log)
        figures: dict[str, float] = {}
        try:
            await service.start()
            targets = await self.pieces(service, dsn, tag, 8)
            conc = self.arguments.concurrency
            async with aiohttp.ClientSession() as session:
                await self.uploads(session, targets, bodies["1 MB"], 4, conc)  # warm-up
                figures["1 MB"] = await self.uploads(
                    session, targets, bodies["1 MB"], self.arguments.small, conc
                )
                figures["10 MB"] = await self.uploads(
                    session, targets, bodies["10 MB"], self.arguments.large, conc
                )
                if peak:
                    assert service.process is not None
                    figures.update(await self.peak(session, service.process.pid, targets, bodies))
        finally:
            await service.stop()
            await drop_database(self.arguments.postgres, dsn)
            await delete_bus(self.arguments.amqp, tag)
        return figures

    async def peak(
        self, session: aiohttp.ClientSession, pid: int, targets: list[Any], bodies: dict[str, bytes]
    ) -> dict[str, float]:
        status = Path(f"/proc/{pid}/status")
        idle = _kib(status, "VmRSS")
        _write(Path(f"/proc/{pid}/clear_refs"), "5")  # resets VmHWM
        await self.uploads(session, targets, bodies["10 MB"], 16, 16)
        return {"rss_idle_mib": idle / 1024, "rss_peak_mib": _kib(status, "VmHWM") / 1024}


def _write(path: Path, text: str) -> None:
    path.write_text(text)


def _kib(status: Path, field: str) -> int:
    for line in status.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


async def delete_bus(amqp: str, tag: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(amqp)
    async with connection:
        channel = await connection.channel()
        queue = f"bench.{tag}.pieces"
        for name in [queue, f"{queue}.dead"] + [
            f"{queue}.retry.{ms}" for ms in (1000, 5000, 30000, 120000, 600000)
        ]:
            await channel.queue_delete(name)
        await channel.exchange_delete(f"bench-events.{tag}")


async def bare_put(endpoint: str, path: Path, size: int, count: int, conc: int) -> float:
    settings = StorageSettings(
        s3_endpoint=endpoint, s3_access_key="testing", s3_secret_key=SecretStr("testing")
    )
    store = ObjectStore.connect(settings, "pieces")

    async def one(index: int) -> None:
        with open(path, "rb") as data:  # noqa: ASYNC230 (a local file, read by the put's thread)
            await store.put_stream(f"bare/{uuid.uuid4()}", data, size, "application/pdf")

    return await concurrently(count, conc, one)


async def bare_scan(address: str, path: Path, count: int, conc: int) -> float:
    clamd = Clamd(address)

    async def one(index: int) -> None:
        assert (await clamd.scan_file(path)).clean

    return await concurrently(count, conc, one)


async def main(arguments: argparse.Namespace) -> None:
    s3_port = free_port()
    moto = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "moto_server"),
        *("-H", "127.0.0.1", "-p", str(s3_port)),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    endpoint = f"127.0.0.1:{s3_port}"
    client = Minio(endpoint, access_key="testing", secret_key="testing", secure=False)
    for _ in range(100):
        try:
            client.make_bucket("pieces")
            break
        except Exception:
            await asyncio.sleep(0.1)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="uploads-bench-") as temporary,
            running_clamd(Path(temporary) / "clamd") as clamd,
        ):
            folder = Path(temporary)
            await report(arguments, endpoint, folder, clamd)
    finally:
        moto.terminate()
        await moto.wait()


async def report(arguments: argparse.Namespace, endpoint: str, folder: Path, clamd: str) -> None:
    files = {"1 MB": samples.pdf(padding=MB), "10 MB": samples.pdf(padding=10 * MB)}
    bodies = {name: multipart(data, "bench.pdf", "application/pdf") for name, data in files.items()}
    paths = {}
    for name, data in files.items():
        paths[name] = folder / name.replace(" ", "")
        paths[name].write_bytes(data)
    counts = {"1 MB": arguments.small, "10 MB": arguments.large}
    conc = arguments.concurrency
    bare = {
        name: (
            await bare_put(endpoint, paths[name], len(files[name]), counts[name], conc),
            await bare_scan(clamd, paths[name], counts[name], conc),
        )
        for name in files
    }
    fake_path = str(folder / "fake-clamd.sock")
    fake = await fake_clamd(fake_path)
    without = await Bench(arguments, endpoint, folder).service_run(fake_path, bodies, peak=False)
    fake.close()
    scanned = await Bench(arguments, endpoint, folder).service_run(clamd, bodies, peak=True)
    print(f"concurrency {conc}; moto S3 in its own process; clamd with the EICAR signatures only")
    for name in files:
        put, scan = bare[name]
        print(
            f"{name:>5}: bare put {put:6.1f}/s  bare clamd {scan:6.1f}/s  "
            f"service without scan {without[name]:6.1f}/s ({without[name] / put:.0%} of the put)  "
            f"with scan {scanned[name]:6.1f}/s"
        )
    print(
        f"service RSS: {scanned['rss_idle_mib']:.0f} MiB idle, "
        f"{scanned['rss_peak_mib']:.0f} MiB peak during 16 concurrent 10 MB uploads"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_DSN", ""))
    parser.add_argument("--amqp", default=os.environ.get("TEST_AMQP_URL", ""))
    parser.add_argument("--small", type=int, default=60, help="1 MB uploads per measure")
    parser.add_argument("--large", type=int, default=20, help="10 MB uploads per measure")
    parser.add_argument("--concurrency", type=int, default=4)
    asyncio.run(main(parser.parse_args()))
