"""Run the platform without Docker: every service as its own process against the local
PostgreSQL and RabbitMQ, with stand-ins for S3 (moto's server) and SMTP (aiosmtpd, keeping each
email as a file under .local/mail/new/, a Maildir), and a clamd of its own for uploads (Debian's
clamav-daemon with the EICAR test signatures only, as the tests run it). Waits until each
service is ready, then watches them: a service that dies is reported at once and restarted (at
most --max-restarts times in ten minutes, then the runner stops everything and exits 1). Ctrl-C
stops all.

    python deploy/run_local.py [--services accounts,notifications] [--smtp HOST:PORT] …
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
RESTART_WINDOW_S = 600.0


@dataclass(frozen=True)
class Service:
    name: str
    base_port: int
    port_offset: int = 0

    @property
    def port(self) -> int:
        return self.base_port + self.port_offset

    @property
    def prefix(self) -> str:
        return self.name.upper() + "_"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def exists(self) -> bool:
        return importlib.util.find_spec(f"{self.name}.__main__") is not None


SERVICES = [
    Service("accounts", 8081),
    Service("registration", 8082),
    Service("documents", 8083),
    Service("uploads", 8084),
    Service("notifications", 8085),
    # The candidate portal, last: it only calls the others. README's first steps end on it.
    Service("portal", 8080),
]
JWKS_PATH = "/api/v1/.well-known/jwks.json"
# Run once before a service starts (idempotent): the seed référentiel.
SEEDS = {"registration": "registration.seed"}


def database_url(server: str, name: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


async def ensure_database(server: str, name: str) -> None:
    conn = await asyncpg.connect(server)
    try:
        if not await conn.fetchval("SELECT true FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def environment(service: Service, args: argparse.Namespace) -> dict[str, str]:
    accounts = Service("accounts", 8081, args.port_offset)
    smtp_host, smtp_port = args.smtp.rsplit(":", 1)
    values = {
        "ENVIRONMENT": "development",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(service.port),
        "DATABASE_URL": database_url(args.postgres, args.db_prefix + service.name),
        "AMQP_URL": args.amqp,
        "EVENTS_EXCHANGE": args.exchange,
        "QUEUE_PREFIX": args.queue_prefix + service.name,
        "JWT_JWKS_URL": accounts.url + JWKS_PATH,
        "S3_ENDPOINT": args.s3,
        "S3_ACCESS_KEY": "testing",
        "S3_SECRET_KEY": "testing",
        "S3_SECURE": "false",
        "SMTP_HOST": smtp_host,
        "SMTP_PORT": smtp_port,
        "SMTP_SECURITY": "none",
        "CLAMD_ADDRESS": args.clamd,
        "PORTAL_BASE_URL": f"http://127.0.0.1:{8080 + args.port_offset}",
        # Read by the portal only (PORTAL_…): where the services answer; plain http locally.
        **{
            f"{name.upper()}_URL": Service(name, port, args.port_offset).url
            for name, port in (
                ("accounts", 8081),
                ("registration", 8082),
                ("documents", 8083),
                ("uploads", 8084),
            )
        },
        "COOKIE_SECURE": "false",
    }
    return {**os.environ, **{service.prefix + key: value for key, value in values.items()}}


async def start(service: Service, args: argparse.Namespace) -> asyncio.subprocess.Process:
    args.local.mkdir(parents=True, exist_ok=True)
    log = (args.local / f"{service.name}.log").open("ab")
    env = environment(service, args)
    if seed := SEEDS.get(service.name):
        seeding = await asyncio.create_subprocess_exec(
            sys.executable, "-m", seed, env=env, stdout=log, stderr=log
        )
        if await seeding.wait() != 0:
            raise RuntimeError(f"{seed} failed; see .local/{service.name}.log")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", service.name, env=env, stdout=log, stderr=log
    )


async def wait_ready(service: Service, process: asyncio.subprocess.Process, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"{service.name} exited ({process.returncode}); see .local/")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(service.url + "/health/ready") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{service.name} was not ready after {timeout:.0f} s; see .local/")


async def stop(processes: dict[str, asyncio.subprocess.Process]) -> None:
    for process in processes.values():
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for name, process in processes.items():
        try:
            await asyncio.wait_for(process.wait(), 35)
        except TimeoutError:
            print(f"{name} did not stop in time: killed", file=sys.stderr)
            process.kill()


def start_stand_ins(args: argparse.Namespace) -> list[object]:
    """moto's S3 server with the two buckets, and an SMTP server keeping .eml files."""
    stand_ins: list[object] = []
    if args.s3 == "local":
        from moto.server import ThreadedMotoServer

        # Its web server logs every request here, drowning the runner's own lines.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=args.local_s3_port)
        s3.start()
        stand_ins.append(s3)
        args.s3 = f"127.0.0.1:{args.local_s3_port}"
        _create_buckets(args.s3)
    if args.smtp == "local":
        stand_ins.append(_mail_folder_server(args.local / "mail", args.local_smtp_port))
        args.smtp = f"127.0.0.1:{args.local_smtp_port}"
    if args.clamd == "local" and "uploads" in args.services.split(","):
        stand_ins.append(_local_clamd(args))
    return stand_ins


class _Clamd:
    """A clamd of our own (shared/testing/clamd.py), stopped with the other stand-ins."""

    def __init__(self, folder: Path) -> None:
        from shared.testing.clamd import running_clamd

        self._running = running_clamd(folder)
        self.address = self._running.__enter__()

    def stop(self) -> None:
        self._running.__exit__(None, None, None)


def _local_clamd(args: argparse.Namespace) -> object:
    from shared.testing.clamd import clamd_installed

    if not clamd_installed():
        raise RuntimeError("clamd is not installed (apt-get install clamav-daemon) or --clamd")
    folder = args.local / "clamd"
    folder.mkdir(parents=True, exist_ok=True)
    clamd = _Clamd(folder)
    args.clamd = clamd.address
    return clamd


def _create_buckets(endpoint: str) -> None:
    from minio import Minio

    client = Minio(endpoint, access_key="testing", secret_key="testing", secure=False)
    for bucket in ("documents", "pieces"):
        if not client.bucket_exists(bucket):
            client.make_bucket(bucket)


def _mail_folder_server(folder: Path, port: int) -> object:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    # mailbox.Maildir makes tmp/new/cur only when the folder itself is new: an existing empty
    # folder (or one left half made) would refuse every email with FileNotFoundError.
    for part in ("tmp", "new", "cur"):
        (folder / part).mkdir(parents=True, exist_ok=True)
    controller = Controller(Mailbox(folder), hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def stop_stand_ins(stand_ins: list[object]) -> None:
    for stand_in in stand_ins:
        stand_in.stop()  # type: ignore[attr-defined]


async def run(args: argparse.Namespace) -> int:
    wanted = [
        Service(s.name, s.base_port, args.port_offset)
        for s in SERVICES
        if s.name in args.services.split(",") and s.exists()
    ]
    if not wanted:
        print("no service to run", file=sys.stderr)
        return 1
    stand_ins = start_stand_ins(args)
    processes: dict[str, asyncio.subprocess.Process] = {}
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    try:
        for service in wanted:
            await ensure_database(args.postgres, args.db_prefix + service.name)
            processes[service.name] = await start(service, args)
            await wait_ready(service, processes[service.name], args.timeout)
            pid = processes[service.name].pid
            print(f"{service.name:14} ready on {service.url} (pid {pid})", flush=True)
        print("all services ready; Ctrl-C stops them", flush=True)
        return await supervise(wanted, processes, args, stopping)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        await stop(processes)
        stop_stand_ins(stand_ins)
        print("stopped", flush=True)


async def supervise(
    services: list[Service],
    processes: dict[str, asyncio.subprocess.Process],
    args: argparse.Namespace,
    stopping: asyncio.Event,
) -> int:
    """Until Ctrl-C: a service that exits is said at once and started again, as a process
    supervisor would; past `--max-restarts` in RESTART_WINDOW_S, everything stops (exit 1)."""
    by_name = {service.name: service for service in services}
    restarts: dict[str, list[float]] = {name: [] for name in by_name}
    while True:
        exits = {asyncio.ensure_future(p.wait()): name for name, p in processes.items()}
        stop = asyncio.ensure_future(stopping.wait())
        done, pending = await asyncio.wait([*exits, stop], return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if stop in done:
            return 0
        for task in done:
            name = exits[task]
            now = time.monotonic()
            recent = [at for at in restarts[name] if now - at < RESTART_WINDOW_S]
            code = processes[name].returncode
            if len(recent) >= args.max_restarts:
                print(f"{name} exited ({code}) {len(recent) + 1} times: giving up", flush=True)
                return 1
            restarts[name] = [*recent, now]
            print(f"{name} exited ({code}); restarting it; see .local/{name}.log", flush=True)
            processes[name] = await start(by_name[name], args)
            await wait_ready(by_name[name], processes[name], args.timeout)
            pid = processes[name].pid
            print(f"{name:14} ready again on {by_name[name].url} (pid {pid})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--services", default=",".join(s.name for s in SERVICES))
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--amqp", default="amqp://guest:guest@127.0.0.1:5672/")
    parser.add_argument("--s3", default="local", help="host:port of an S3 server, or 'local'")
    parser.add_argument("--smtp", default="local", help="host:port of an SMTP server, or 'local'")
    parser.add_argument(
        "--clamd", default="local", help="a clamd socket's path or host:port, or 'local'"
    )
    parser.add_argument("--timeout", type=float, default=60, help="seconds for each to be ready")
    parser.add_argument("--db-prefix", default="", help="prefix of the databases' names")
    parser.add_argument("--exchange", default="cyclades.events", help="the events exchange")
    parser.add_argument("--port-offset", type=int, default=0, help="added to every port")
    parser.add_argument("--queue-prefix", default="", help="prefix of the queues' names")
    parser.add_argument("--local", type=Path, default=LOCAL, help="logs and mail folder")
    parser.add_argument("--local-smtp-port", type=int, default=1025)
    parser.add_argument("--local-s3-port", type=int, default=9000)
    parser.add_argument(
        "--max-restarts", type=int, default=5, help="restarts of one service in ten minutes"
    )
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
