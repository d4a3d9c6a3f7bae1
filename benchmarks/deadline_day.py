"""Deadline day: N candidates running the guide's journey at once against the whole platform,
gestionnaires searching and exporting beside them, optionally while the servers fail; then a
ledger that must balance exactly.

    .venv/bin/python -m benchmarks.deadline_day [--candidates 2000] [--concurrency 64]
        [--faults none|short|long] [--rabbitmqctl rabbitmqctl] [--pg-restart "pg_ctlcluster …"]

Everything runs on 127.0.0.1: `deploy/run_local.py` starts every service as its own process
(databases `dd_<tag>_<service>`, a RabbitMQ vhost of its own when `--rabbitmqctl` is given,
ports 8081… + 2000); this process holds the SMTP server (aiosmtpd) and the S3 server (moto),
so it can take them down and bring them back. A plain asyncio driver rather than Locust: the
journey waits on the SMTP server and the bus between its HTTP steps, which Locust's
request-per-task model would hide, and the ledger needs this process' SMTP and S3 servers.

Per step: count, rate, p50/p95/p99 and errors. The ledger then waits (up to `--drain`
seconds) until every backlog is empty and compares, for the candidatures saved through HTTP:
registration's saved candidatures and versions, the CandidatureCreated handled by each
consumer (inbox rows), the confirmations recorded by documents and the objects in its bucket,
the emails the SMTP server received (each once), the dead letters (zero) and the 5xx (zero).
Faults print how long each backlog took to drain after the recovery.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import os
import re
import shlex
import signal
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import aiohttp
import asyncpg

from shared.testing.factories import identite_json
from shared.testing.infrastructure import free_port
from shared.testing.smtp import SmtpSink

ROOT = Path(__file__).resolve().parent.parent
PORT_OFFSET = 2000
BASE_PORTS = {
    "accounts": 8081,
    "registration": 8082,
    "documents": 8083,
    "uploads": 8084,
    "notifications": 8085,
}
PASSWORD = "Vx9#kTqe"
ACADEMIE = "001"
WAIT_S = 300.0
UNAVAILABLE_S = 120.0
TABS: dict[str, dict[str, Any]] = {
    "identification": {},
    "informations-candidature": {
        "categorie": "FC",
        "etablissement": f"INDIV-{ACADEMIE}",
        "handicap": False,
        "amenagement": False,
        "consentement_presse": True,
        "consentement_organismes_prives": False,
        "consentement_collectivites": True,
    },
    "qualification": {"specialite": "BANQUE", "forme": "globale"},
    "acquis": {"acquis": []},
    "diplome": {"diplome": "BAC-GEN"},
    "epreuves": {"options": {"E2": "Anglais", "EF1": "Allemand"}, "facultatives": ["EF1", "EF3"]},
}
CONFIRMATIONS = "SELECT count(*) FROM documents WHERE kind = 'confirmation_inscription'"


def one_page_pdf() -> bytes:
    """A blank A4 page: the pièce every candidate uploads."""
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(595, 842)
    writer.write(out)
    return out.getvalue()


PDF = one_page_pdf()
SUBJECTS = {
    "activation": "Activer mon compte",
    "created": "Inscription enregistrée",
    "modified": "Modification d'inscription",
    "withdrawn": "Désinscription",
}


# --- measuring -----------------------------------------------------------------------------


@dataclass
class Step:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


class Stats:
    def __init__(self) -> None:
        self.steps: dict[str, Step] = defaultdict(Step)
        self.server_errors = 0  # 5xx other than 503
        self.unavailable = 0  # 503 or no answer, each sent again
        self.started = time.monotonic()

    def ok(self, step: str, seconds: float) -> None:
        self.steps[step].latencies.append(seconds)

    def error(self, step: str, what: str) -> None:
        self.steps[step].errors[what] += 1

    def report(self) -> None:
        elapsed = time.monotonic() - self.started
        print(
            f"\n{'step':24} {'count':>7} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
            "  errors"
        )
        for name, step in self.steps.items():
            values = sorted(step.latencies)
            errors = ", ".join(f"{k}×{v}" for k, v in step.errors.most_common()) or "-"
            if not values:
                print(f"{name:24} {0:>7} {'':>8} {'':>8} {'':>8} {'':>8}  {errors}")
                continue
            print(
                f"{name:24} {len(values):>7} {len(values) / elapsed:>8.1f} "
                f"{percentile(values, 50):>8.0f} {percentile(values, 95):>8.0f} "
                f"{percentile(values, 99):>8.0f}  {errors}"
            )
        print(
            f"5xx answers (not 503): {self.server_errors}; 503 or no answer, sent again: "
            f"{self.unavailable}; elapsed {elapsed:.1f} s"
        )


def percentile(values: list[float], p: float) -> float:
    index = min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))
    return values[index] * 1000


class StepFailed(Exception):
    pass


# --- the platform --------------------------------------------------------------------------


class MailWatcher:
    """Emails by (recipient, subject fragment), found by one scan of what is new."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink
        self.seen = 0
        self.by_recipient: dict[str, list[EmailMessage]] = defaultdict(list)

    def _scan(self) -> None:
        with self.sink.lock:
            new = self.sink.received[self.seen :]
            self.seen += len(new)
        for recipients, message in new:
            for recipient in recipients:
                self.by_recipient[recipient.lower()].append(message)

    async def wait(self, address: str, subject: str, timeout: float = WAIT_S) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._scan()
            for message in self.by_recipient.get(address.lower(), []):
                if subject in str(message["Subject"]):
                    return message
            await asyncio.sleep(0.2)
        raise StepFailed(f"no email {subject!r}")

    def others(self) -> int:
        """Emails to candidates of none of the expected kinds (activation excepted)."""
        self._scan()
        return sum(
            1
            for messages in self.by_recipient.values()
            for message in messages
            if not any(subject in str(message["Subject"]) for subject in SUBJECTS.values())
        )

    def subjects(self) -> Counter[tuple[str, str]]:
        self._scan()
        counted: Counter[tuple[str, str]] = Counter()
        for recipient, messages in self.by_recipient.items():
            for message in messages:
                for kind, subject in SUBJECTS.items():
                    if subject in str(message["Subject"]):
                        counted[(recipient, kind)] += 1
        return counted


@dataclass
class Platform:
    tag: str
    postgres: str
    amqp: str
    rabbitmqctl: list[str] | None
    smtp: SmtpSink
    s3_port: int
    services: tuple[str, ...] = ()
    runner: asyncio.subprocess.Process | None = None
    pids: dict[str, int] = field(default_factory=dict)
    s3: Any = None
    lines: list[str] = field(default_factory=list)
    reader: asyncio.Future[None] | None = None

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{BASE_PORTS[service] + PORT_OFFSET}"

    def databases(self) -> list[str]:
        """The running services that own a database (the portal has none)."""
        return [service for service in self.services if service in BASE_PORTS]

    def database(self, service: str) -> str:
        return urlunsplit(urlsplit(self.postgres)._replace(path=f"/dd_{self.tag}_{service}"))

    def start_s3(self) -> None:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        # moto keeps its buckets in this process: a server started again finds them.
        self.s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=self.s3_port)
        self.s3.start()

    def stop_s3(self) -> None:
        self.s3.stop()

    async def start(self) -> None:
        self.start_s3()
        _create_buckets(f"127.0.0.1:{self.s3_port}")
        if self.rabbitmqctl:
            vhost = f"dd-{self.tag}"
            await run([*self.rabbitmqctl, "add_vhost", vhost])
            await run(
                [*self.rabbitmqctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"]
            )
            self.amqp = self.amqp.rstrip("/") + "/" + quote(vhost, safe="")
        self.runner = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "deploy" / "run_local.py"),
            "--postgres", self.postgres, "--amqp", self.amqp,
            "--smtp", f"{self.smtp.host}:{self.smtp.port}", "--s3", f"127.0.0.1:{self.s3_port}",
            "--db-prefix", f"dd_{self.tag}_", "--port-offset", str(PORT_OFFSET),
            "--exchange", f"dd.{self.tag}", "--queue-prefix", f"dd.{self.tag}.",
            "--max-restarts", "20",
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        ready = asyncio.get_running_loop().create_future()
        self.reader = asyncio.ensure_future(self._read_runner(ready))
        await asyncio.wait_for(ready, 180)

    async def _read_runner(self, ready: asyncio.Future[None]) -> None:
        assert self.runner is not None
        assert self.runner.stdout is not None
        while line := (await self.runner.stdout.readline()).decode():
            self.lines.append(line.rstrip())
            if match := re.match(r"(\w+)\s+ready (?:again )?on \S+ \(pid (\d+)\)", line):
                self.pids[match.group(1)] = int(match.group(2))
                self.services = tuple(sorted(set(self.services) | {match.group(1)}))
            if "all services ready" in line and not ready.done():
                ready.set_result(None)
        if not ready.done():
            ready.set_exception(RuntimeError("the runner stopped; see .local/*.log"))

    async def stop(self) -> None:
        if self.runner and self.runner.returncode is None:
            self.runner.send_signal(signal.SIGINT)
            await asyncio.wait_for(self.runner.wait(), 90)
        if self.rabbitmqctl:
            await run([*self.rabbitmqctl, "delete_vhost", f"dd-{self.tag}"])
        conn = await asyncpg.connect(self.postgres)
        try:
            for service in BASE_PORTS:
                name = f"dd_{self.tag}_{service}"
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
        self.stop_s3()


def _create_buckets(endpoint: str) -> None:
    from minio import Minio

    client = Minio(endpoint, access_key="testing", secret_key="testing", secure=False)
    for bucket in ("documents", "pieces"):
        if not client.bucket_exists(bucket):
            client.make_bucket(bucket)


async def run(command: list[str], env: dict[str, str] | None = None) -> None:
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, error = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {error.decode()}")


# --- HTTP ----------------------------------------------------------------------------------


class Client:
    def __init__(self, session: aiohttp.ClientSession, stats: Stats) -> None:
        self.session = session
        self.stats = stats

    async def call(
        self, step: str, method: str, url: str, *, expect: tuple[int, ...] = (200,), **kw: Any
    ) -> tuple[int, Any]:
        """One request, timed as `step`; anything else than `expect` raises StepFailed. As a
        careful client does, a request that found the service unavailable (503, no answer)
        is sent again, the same (idempotency key included), for up to UNAVAILABLE_S."""
        started = time.monotonic()
        while True:
            try:
                async with self.session.request(method, url, **kw) as response:
                    body = await (
                        response.json() if "json" in response.content_type else response.read()
                    )
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                status, body = 0, type(exc).__name__
            if status in (0, 503):
                self.stats.unavailable += 1
                if time.monotonic() - started < UNAVAILABLE_S:
                    await asyncio.sleep(0.5)
                    continue
            break
        if status >= 500 and status != 503:
            self.stats.server_errors += 1
        if status not in expect:
            self.stats.error(step, str(status or body))
            raise StepFailed(f"{step}: {status} {body!r:.200}")
        self.stats.ok(step, time.monotonic() - started)
        return status, body


def bearer(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


def key() -> str:
    return uuid.uuid4().hex


async def retried(
    step: str, stats: Stats, attempt: Callable[[], Awaitable[Any]], timeout: float = WAIT_S
) -> Any:
    """A step whose precondition crosses the bus (or a fault): tried again until it answers,
    a little later each time (0.2 s, then half as long again, up to 2 s), as a page that
    refreshes itself would: a fixed short period makes the waiting candidates' polls the
    documents service's main load."""
    started, pause = time.monotonic(), 0.2
    while True:
        try:
            result = await attempt()
        except StepFailed:
            if time.monotonic() - started > timeout:
                raise
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, 2.0)
            continue
        stats.ok(step, time.monotonic() - started)
        return result


# --- the journey ---------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the platform promised this candidate, by the answers it gave."""

    email: str
    candidature: str | None = None
    versions: int = 0
    withdrawn: bool = False
    files: int = 0
    declarations: int = 0
    failed_at: str | None = None


@dataclass
class Journey:
    platform: Platform
    client: Client
    mail: MailWatcher
    modify_every: int
    withdraw_every: int
    gestionnaire: str = ""  # checks the pièces of one candidate in `modify_every`

    async def candidate(self, number: int) -> Outcome:
        outcome = Outcome(email=f"dd.{self.platform.tag}.{number}@example.org")
        try:
            token = await self.account(outcome.email)
            outcome.candidature = await self.draft(token)
            await self.tabs(token, outcome.candidature)
            await self.save(token, outcome.candidature, version=1)
            outcome.versions = 1
            await self.confirmation(token, outcome.candidature, version=1)
            if "uploads" in self.platform.services:
                await self.justificatifs(token, outcome, check=number % self.modify_every == 1)
            if number % self.modify_every == 0:
                await self.modify(token, outcome.candidature)
                outcome.versions = 2
            if number % self.withdraw_every == 0:
                await self.withdraw(token, outcome.candidature)
                outcome.withdrawn = True
        except StepFailed as failure:
            outcome.failed_at = str(failure)
        return outcome

    async def account(self, email: str) -> str:
        accounts = self.platform.url("accounts")
        body = {"email": email, "password": PASSWORD, "identite": identite_json()}
        await self.client.call(
            "create account", "POST", accounts + "/api/v1/accounts", json=body, expect=(202,)
        )
        started = time.monotonic()
        activation = await self.mail.wait(email, SUBJECTS["activation"])
        self.client.stats.ok("activation email", time.monotonic() - started)
        match = re.search(r"token=([A-Za-z0-9_\-]+)", _text(activation))
        if not match:
            raise StepFailed("activation link")
        await self.client.call(
            "activate", "POST", accounts + "/api/v1/accounts/activate",
            json={"token": match.group(1)},
        )  # fmt: skip
        return await self.login(email)

    async def login(self, email: str) -> str:
        _, body = await self.client.call(
            "login", "POST", self.platform.url("accounts") + "/api/v1/auth/login",
            json={"email": email, "password": PASSWORD},
        )  # fmt: skip
        return str(body["access_token"])

    async def draft(self, token: str) -> str:
        """M'inscrire, once registration has the identity and the activation (the bus)."""
        url = self.platform.url("registration") + "/api/v1/candidatures"
        draft = {"examen": "BTS", "session": 2027, "academie": ACADEMIE}
        headers = bearer(token, **{"Idempotency-Key": key()})  # refusals are not kept

        async def attempt() -> str:
            _, body = await self.client.call(
                "draft (try)", "POST", url, json=draft, headers=headers, expect=(201,)
            )
            return str(body["id"])

        return str(await retried("M'inscrire", self.client.stats, attempt))

    async def tabs(self, token: str, candidature: str) -> None:
        base = self.platform.url("registration") + f"/api/v1/candidatures/{candidature}/onglets/"
        for onglet, data in TABS.items():
            await self.client.call("tab", "PUT", base + onglet, json=data, headers=bearer(token))

    async def save(self, token: str, candidature: str, version: int) -> None:
        url = self.platform.url("registration") + f"/api/v1/candidatures/{candidature}/enregistrer"
        headers = bearer(token, **{"Idempotency-Key": key()})
        if version > 1:
            headers["If-Match"] = f'"{version - 1}"'
        # The same key again after a fault: the platform answers the first outcome.
        await retried(
            f"enregistrer v{version}",
            self.client.stats,
            lambda: self.client.call(
                "enregistrer (try)", "POST", url, headers=headers, expect=(201,)
            ),
        )

    async def confirmation(self, token: str, candidature: str, version: int) -> None:
        """Until documents lists the confirmation of `version`, then its download."""
        documents = self.platform.url("documents")
        listing = f"{documents}/api/v1/me/candidatures/{candidature}/documents"

        async def attempt() -> str:
            _, found = await self.client.call(
                "documents (poll)", "GET", listing, headers=bearer(token), expect=(200, 404)
            )
            for document in found if isinstance(found, list) else []:
                if document.get("version") == version:
                    return str(document["id"])
            raise StepFailed("not yet")

        document = await retried(f"confirmation v{version} listed", self.client.stats, attempt)
        await self.client.call(
            "download PDF", "GET", f"{documents}/api/v1/me/documents/{document}",
            headers=bearer(token),
        )  # fmt: skip

    async def justificatifs(self, token: str, outcome: Outcome, *, check: bool) -> None:
        """Mes justificatifs: a PDF for every pièce, J'ai fourni on every group; then, for some,
        the gestionnaire sets each pièce Reçue, then Conforme (no email for either)."""
        uploads = self.platform.url("uploads")
        base = f"{uploads}/api/v1/me/candidatures/{outcome.candidature}"

        async def listed() -> list[dict[str, Any]]:
            _, body = await self.client.call(
                "pièces (poll)", "GET", base + "/pieces", headers=bearer(token), expect=(200,)
            )
            if not body["groupes"]:
                raise StepFailed("no pièce yet")
            return list(body["groupes"])

        groupes = await retried("pièces listed", self.client.stats, listed)
        pieces = [p for g in groupes for p in g["pieces"] if p["active"]]
        for piece in pieces:
            form = aiohttp.FormData()
            form.add_field("file", PDF, filename="justificatif.pdf", content_type="application/pdf")
            await self.client.call(
                "upload", "POST", f"{base}/pieces/{piece['id']}/files", data=form,
                headers=bearer(token), expect=(201,),
            )  # fmt: skip
            outcome.files += 1
        for groupe in groupes:
            await self.client.call(
                "J'ai fourni", "POST", f"{base}/groupes/{groupe['id']}/fournies",
                headers=bearer(token, **{"Idempotency-Key": key()}),
            )  # fmt: skip
            outcome.declarations += 1
        if check and self.gestionnaire:
            for piece in pieces:
                for status in ("recue", "conforme"):
                    await self.client.call(
                        "gestionnaire status", "POST",
                        f"{uploads}/api/v1/admin/pieces/{piece['id']}/status",
                        json={"status": status}, headers=bearer(self.gestionnaire),
                    )  # fmt: skip

    async def modify(self, token: str, candidature: str) -> None:
        url = self.platform.url("registration") + f"/api/v1/candidatures/{candidature}/onglets/"
        await self.client.call(
            "modify tab", "PUT", url + "epreuves", headers=bearer(token),
            json={"options": {"E2": "Anglais"}, "facultatives": ["EF3"]},
        )  # fmt: skip
        await self.save(token, candidature, version=2)
        await self.confirmation(token, candidature, version=2)

    async def withdraw(self, token: str, candidature: str) -> None:
        url = self.platform.url("registration") + f"/api/v1/candidatures/{candidature}/desinscrire"
        await self.client.call(
            "se désinscrire", "POST", url, json={"confirmation": True},
            headers=bearer(token, **{"Idempotency-Key": key()}),
        )  # fmt: skip


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    return str(body.get_content()) if body is not None else ""


# --- staff ---------------------------------------------------------------------------------


async def create_admin(platform: Platform, email: str) -> None:
    env = {
        **os.environ,
        "ACCOUNTS_DATABASE_URL": platform.database("accounts"),
        "ACCOUNTS_AMQP_URL": platform.amqp,
        "ACCOUNTS_ADMIN_PASSWORD": PASSWORD,
    }
    await run([sys.executable, "-m", "accounts.cli", "create-admin", "--email", email,
               "--name", "Admin deadline day"], env=env)  # fmt: skip


async def staff(platform: Platform, client: Client) -> tuple[str, str]:
    """An administrateur who opens a window around now, and a gestionnaire of the académie."""
    admin_email = f"admin.{platform.tag}@example.org"
    await create_admin(platform, admin_email)
    journey = Journey(platform, client, MailWatcher(platform.smtp), 1, 1)
    admin = await journey.login(admin_email)
    now = datetime.now(UTC)
    window = {
        "examen": "BTS", "session": 2027, "academie": ACADEMIE,
        "ouverture": (now - timedelta(hours=1)).isoformat(),
        "fermeture": (now + timedelta(days=2)).isoformat(),
    }  # fmt: skip
    await client.call(
        "setup", "POST", platform.url("registration") + "/api/v1/admin/fenetres", json=window,
        headers=bearer(admin, **{"Idempotency-Key": key()}), expect=(201, 409),
    )  # fmt: skip
    gestionnaire_email = f"gest.{platform.tag}@example.org"
    await client.call(
        "setup", "POST", platform.url("accounts") + "/api/v1/admin/staff", headers=bearer(admin),
        json={"email": gestionnaire_email, "password": PASSWORD, "role": "gestionnaire",
              "display_name": "Gestionnaire", "academies": [ACADEMIE]},
        expect=(201,),
    )  # fmt: skip
    return admin, await journey.login(gestionnaire_email)


async def gestionnaire_loop(
    platform: Platform, client: Client, token: str, done: asyncio.Event
) -> None:
    """Searching a page at a time and exporting, as long as the candidates run."""
    base = platform.url("registration") + "/api/v1/admin/candidatures"
    filters = {"examen": "BTS", "session": "2027", "academie": ACADEMIE}
    rounds = 0
    while not done.is_set():
        try:
            await client.call(
                "gestionnaire search", "GET", base, params={**filters, "limit": "50"},
                headers=bearer(token),
            )  # fmt: skip
            if rounds % 10 == 0:
                await client.call(
                    "gestionnaire export", "GET", base + "/export.csv", params=filters,
                    headers=bearer(token),
                )  # fmt: skip
        except StepFailed:
            await asyncio.sleep(0.5)
        rounds += 1
        await asyncio.sleep(0.2)


# --- faults --------------------------------------------------------------------------------


@dataclass
class Faults:
    platform: Platform
    outage_s: float
    pg_restart: list[str] | None
    log: list[tuple[str, float]] = field(default_factory=list)

    async def run(self, which: str, done: asyncio.Event) -> None:
        plan: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("RabbitMQ stop_app/start_app", self.broker),
            ("PostgreSQL restart", self.database),
            (f"SMTP server down {self.outage_s:.0f} s", self.smtp),
            (f"S3 server down {self.outage_s:.0f} s", self.s3),
            ("notifications SIGKILL", lambda: self.kill("notifications")),
            ("documents SIGKILL", lambda: self.kill("documents")),
        ]
        pause = 5.0 if which == "short" else 20.0
        for name, fault in plan:
            await asyncio.sleep(pause)
            before = sum((await backlogs(self.platform)).values())
            started = time.monotonic()
            try:
                await fault()
            except (RuntimeError, KeyError) as exc:
                print(f"fault {name} not made: {exc}", flush=True)
                continue
            recovered = time.monotonic()
            self.log.append((name, recovered))
            peak, drained = await self.drain(before)
            print(
                f"fault: {name}: {recovered - started:.1f} s; backlog peak {peak} "
                f"(before: {before}), back to it {drained:.1f} s after the recovery",
                flush=True,
            )

    async def drain(self, before: int) -> tuple[int, float]:
        """The backlogs' peak after a recovery, and how long they took to come back to their
        level before the fault (a few items of slack: the load goes on)."""
        started, peak = time.monotonic(), 0
        while time.monotonic() - started < WAIT_S:
            try:
                total = sum((await backlogs(self.platform)).values())
            except (OSError, asyncpg.PostgresError):
                total = peak  # PostgreSQL still starting
            peak = max(peak, total)
            if total <= before + 5:
                break
            await asyncio.sleep(0.5)
        return peak, time.monotonic() - started

    async def broker(self) -> None:
        if not self.platform.rabbitmqctl:
            raise RuntimeError("no --rabbitmqctl")
        await run([*self.platform.rabbitmqctl, "stop_app"])
        await asyncio.sleep(min(self.outage_s, 10))
        await run([*self.platform.rabbitmqctl, "start_app"])

    async def database(self) -> None:
        if not self.pg_restart:
            raise RuntimeError("no --pg-restart")
        await run(self.pg_restart)

    async def smtp(self) -> None:
        self.platform.smtp.stop()
        await asyncio.sleep(self.outage_s)
        self.platform.smtp.start()

    async def s3(self) -> None:
        self.platform.stop_s3()
        await asyncio.sleep(self.outage_s)
        self.platform.start_s3()

    async def kill(self, service: str) -> None:
        os.kill(self.platform.pids[service], signal.SIGKILL)


# --- where the CPU went --------------------------------------------------------------------


def cpu_seconds(platform: Platform) -> dict[str, float]:
    """CPU time so far by part: each service's process tree (its render workers included),
    PostgreSQL, RabbitMQ, and this driver (with its SMTP and S3 servers). Read from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :]
        fields = rest.split()
        pid = int(entry.name)
        parents[pid], names[pid] = int(fields[1]), name
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    roots = {pid: service for service, pid in platform.pids.items()}
    roots[os.getpid()] = "driver (SMTP, S3)"
    by_part: dict[str, float] = defaultdict(float)
    for pid, seconds in used.items():
        part, walk = None, pid
        while walk > 1 and part is None:
            part = roots.get(walk)
            walk = parents.get(walk, 0)
        if part is None and names[pid] == "postgres":
            part = "postgresql"
        elif part is None and names[pid] == "beam.smp":
            part = "rabbitmq"
        if part is not None:
            by_part[part] += seconds
    return by_part


def report_cpu(before: dict[str, float], after: dict[str, float], elapsed: float) -> None:
    print(f"\nCPU during the load ({elapsed:.0f} s, {os.cpu_count()} cores): share of one core")
    for part in sorted(after, key=lambda p: after[p] - before.get(p, 0.0), reverse=True):
        print(f"  {part:24} {(after[part] - before.get(part, 0.0)) / elapsed:>6.2f}")


# --- the ledger ----------------------------------------------------------------------------


async def count(platform: Platform, service: str, sql: str, *args: Any) -> int:
    if service not in platform.services:
        return 0
    conn = await asyncpg.connect(platform.database(service))
    try:
        return int(await conn.fetchval(sql, *args) or 0)
    finally:
        await conn.close()


async def backlogs(platform: Platform) -> dict[str, int]:
    """Work not done yet: unpublished outbox rows, render jobs, emails not sent."""
    found = {}
    for service in platform.databases():
        found[f"{service} outbox"] = await count(
            platform, service, "SELECT count(*) FROM outbox WHERE published_at IS NULL"
        )
    found["documents render jobs"] = await count(
        platform, "documents", "SELECT count(*) FROM render_jobs WHERE status = 'pending'"
    )
    found["notifications emails"] = await count(
        platform, "notifications", "SELECT count(*) FROM outgoing_messages WHERE status='pending'"
    )
    return found


def bucket_objects(platform: Platform, bucket: str) -> int:
    from minio import Minio

    client = Minio(
        f"127.0.0.1:{platform.s3_port}", access_key="testing", secret_key="testing", secure=False
    )
    return sum(1 for _ in client.list_objects(bucket, recursive=True))


async def ledger(
    platform: Platform,
    outcomes: list[Outcome],
    mail: MailWatcher,
    stats: Stats,
    drain_s: float,
    *,
    faults: bool,
) -> bool:
    """True when everything balances; without faults, no request may have found a service
    unavailable either."""
    saved = [o for o in outcomes if o.versions >= 1]
    expected = {
        "saved candidatures": len(saved),
        "versions": sum(o.versions for o in saved),
        "withdrawn": sum(o.withdrawn for o in saved),
    }
    started = time.monotonic()
    while True:
        pending = await backlogs(platform)
        if not any(pending.values()) or time.monotonic() - started > drain_s:
            break
        await asyncio.sleep(1)
    print(f"\nbacklogs drained in {time.monotonic() - started:.1f} s: {pending}")
    await asyncio.sleep(3)  # the last emails cross the SMTP connection

    created = "SELECT count(*) FROM inbox WHERE event_type = 'CandidatureCreated'"
    subjects = mail.subjects()
    by_kind = Counter(kind for (_, kind) in subjects.elements())
    twice = sum(1 for n in subjects.values() if n > 1)
    others = mail.others()
    rows = [
        ("saved candidatures (HTTP 201)", expected["saved candidatures"]),
        ("registration: saved candidatures", await count(
            platform, "registration", "SELECT count(*) FROM candidatures WHERE version >= 1")),
        ("registration: versions", await count(
            platform, "registration", "SELECT count(*) FROM candidature_versions")),
        ("versions (HTTP 201)", expected["versions"]),
        ("accounts: CandidatureCreated handled", await count(platform, "accounts", created)),
        ("documents: CandidatureCreated handled", await count(platform, "documents", created)),
        ("notifications: CandidatureCreated handled",
         await count(platform, "notifications", created)),
        ("documents: confirmations", await count(
            platform, "documents", CONFIRMATIONS)),
        ("S3 documents bucket: objects", await asyncio.to_thread(
            bucket_objects, platform, "documents")),
        ("uploads: CandidatureCreated handled", await count(platform, "uploads", created)),
        ("files uploaded (HTTP 201)", sum(o.files for o in saved)),
        ("uploads: files recorded", await count(
            platform, "uploads", "SELECT count(*) FROM piece_files")),
        ("S3 pieces bucket: objects", await asyncio.to_thread(
            bucket_objects, platform, "pieces")),
        ("groups declared (HTTP 200)", sum(o.declarations for o in saved)),
        ("registration: PiecesFournies handled", await count(
            platform, "registration",
            "SELECT count(*) FROM inbox WHERE event_type = 'PiecesFournies'")),
        ("emails: Inscription enregistrée", by_kind["created"]),
        ("emails: Modification d'inscription", by_kind["modified"]),
        ("withdrawals (HTTP 200)", expected["withdrawn"]),
        ("emails: Désinscription", by_kind["withdrawn"]),
    ]  # fmt: skip
    dead = sum(
        [
            await count(platform, s, "SELECT count(*) FROM dead_letters")
            for s in platform.databases()
        ]
    )
    print("\nledger")
    for name, value in rows:
        print(f"  {name:44} {value:>8}")
    print(f"  {'emails received twice':44} {twice:>8}")
    print(f"  {'other emails (pièce statuses…)':44} {others:>8}")
    print(f"  {'dead letters':44} {dead:>8}")
    print(f"  {'5xx answers other than 503':44} {stats.server_errors:>8}")
    print(f"  {'503 or no answer (sent again)':44} {stats.unavailable:>8}")
    values = dict(rows)
    n, versions = expected["saved candidatures"], expected["versions"]
    balanced = (
        values["registration: saved candidatures"] == n
        and values["registration: versions"] == versions
        and values["accounts: CandidatureCreated handled"] == n
        and values["documents: CandidatureCreated handled"] == n
        and values["notifications: CandidatureCreated handled"] == n
        and values["documents: confirmations"] == versions
        and values["S3 documents bucket: objects"] == versions
        and by_kind["created"] == n
        and by_kind["modified"] == versions - n
        and by_kind["withdrawn"] == expected["withdrawn"]
        and twice == 0
        and others == 0
        and (
            "uploads" not in platform.services
            or (
                values["uploads: CandidatureCreated handled"] == n
                and values["uploads: files recorded"] == values["files uploaded (HTTP 201)"]
                and values["S3 pieces bucket: objects"] == values["files uploaded (HTTP 201)"]
                and values["registration: PiecesFournies handled"]
                == values["groups declared (HTTP 200)"]
            )
        )
        and dead == 0
        and stats.server_errors == 0
        and (faults or stats.unavailable == 0)
    )
    print("the ledger balances" if balanced else "THE LEDGER DOES NOT BALANCE")
    return balanced


# --- main ----------------------------------------------------------------------------------


async def deadline_day(args: argparse.Namespace) -> bool:
    smtp = SmtpSink()
    smtp.start()
    platform = Platform(
        tag=uuid.uuid4().hex[:8],
        postgres=args.postgres,
        amqp=args.amqp,
        rabbitmqctl=shlex.split(args.rabbitmqctl) if args.rabbitmqctl else None,
        smtp=smtp,
        s3_port=free_port(),
    )
    stats = Stats()
    try:
        await platform.start()
        print(f"platform up: {', '.join(platform.services)}", flush=True)
        timeout = aiohttp.ClientTimeout(total=60)
        connector = aiohttp.TCPConnector(limit=args.concurrency * 2)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            client = Client(session, stats)
            _, gestionnaire = await staff(platform, client)
            mail = MailWatcher(smtp)
            journey = Journey(
                platform, client, mail, args.modify_every, args.withdraw_every, gestionnaire
            )
            stats.started = time.monotonic()
            done = asyncio.Event()
            side = [asyncio.ensure_future(gestionnaire_loop(platform, client, gestionnaire, done))
                    for _ in range(args.gestionnaires)]  # fmt: skip
            faults = Faults(platform, args.outage, shlex.split(args.pg_restart or "") or None)
            if args.faults != "none":
                side.append(asyncio.ensure_future(faults.run(args.faults, done)))
            gate = asyncio.Semaphore(args.concurrency)

            async def one(number: int) -> Outcome:
                if args.rate:  # arrivals spread in time (the fault runs), else all at once
                    await asyncio.sleep(number / args.rate)
                async with gate:
                    return await journey.candidate(number)

            cpu_before, load_started = cpu_seconds(platform), time.monotonic()
            outcomes = await asyncio.gather(*(one(n) for n in range(args.candidates)))
            report_cpu(cpu_before, cpu_seconds(platform), time.monotonic() - load_started)
            done.set()
            await asyncio.gather(*side, return_exceptions=True)
            stats.report()
            failed = Counter(o.failed_at for o in outcomes if o.failed_at)
            completed = len(outcomes) - sum(failed.values())
            print(f"journeys: {completed} completed; failed: {dict(failed)}")
            return await ledger(
                platform, outcomes, mail, stats, args.drain, faults=args.faults != "none"
            )
    finally:
        await platform.stop()
        smtp.stop()


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--gestionnaires", type=int, default=2)
    parser.add_argument("--modify-every", type=int, default=5, help="1 candidate in N modifies")
    parser.add_argument("--withdraw-every", type=int, default=20, help="1 in N withdraws")
    parser.add_argument("--rate", type=float, default=0, help="candidates arriving per s")
    parser.add_argument("--faults", choices=("none", "short", "long"), default="none")
    parser.add_argument("--outage", type=float, default=30.0, help="SMTP and S3 outages, s")
    parser.add_argument("--drain", type=float, default=600.0, help="seconds to wait for backlogs")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--amqp", default=os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    )
    parser.add_argument("--rabbitmqctl", default=os.environ.get("TEST_RABBITMQCTL"))
    parser.add_argument("--pg-restart", default=os.environ.get("TEST_PG_RESTART"))
    return parser


def main() -> None:
    balanced = asyncio.run(deadline_day(parser().parse_args()))
    sys.exit(0 if balanced else 1)


if __name__ == "__main__":
    main()
