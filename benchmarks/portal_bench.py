"""Benchmark of the candidate portal: pages/s and p50/p99 with 64 concurrent sessions.

    python deploy/run_local.py &                      # the platform, portal included
    .venv/bin/python -m benchmarks.portal_bench [--sessions 64] [--seconds 10]
        [--platform <port offset>:<--local folder>:<--db-prefix>]   # default 0:.local:

Against a platform started by deploy/run_local.py (so the portal calls the real services over
HTTP, as in production), the benchmark signs up `--sessions` candidates (accounts API, the
activation link from run_local's mail folder), logs each in through the portal (one cookie jar
each), opens a BTS 2027 window of académie 001 around now (an administrateur it creates), and
through the portal's forms opens, fills and saves one candidature each. Then, each target in
turn, every session GETs it in a loop for `--seconds`:

- the home page (signed in: announcements from accounts);
- the Acquis tab, the wizard's heaviest (the candidature, the tab and the qualification tab,
  three signed-in reads at once; then the spécialité's épreuve tree, the kinds of acquis and
  the académies, from the portal's référentiel cache);
- Mes documents of the candidature (documents: the list of candidatures and the documents);
- next to them, in the same run, a bare aiohttp-jinja2 page (its own process, uvloop, no
  access log, a small template without any backend call): the ceiling here.

Figures only, no assertion: the machine is shared, compare within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
import uuid
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path

import aiohttp
import uvloop

from benchmarks.registration_bench import HOST, free_port, process, wait_ready
from shared.testing.factories import identite_json
from tests.portal.helpers import PASSWORD, open_window_now

ACADEMIE = "001"
SCRIPT = str(Path(__file__).resolve())
ROOT = str(Path(__file__).resolve().parents[1])
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
NONCE = re.compile(r'name="nonce" value="([^"]+)"')
PORTS = {"accounts": 8081, "registration": 8082, "portal": 8080}
LOGINS = asyncio.Semaphore(1)
TABS = {
    "informations-candidature": {
        "categorie": "FC",
        "etablissement": f"INDIV-{ACADEMIE}",
        "handicap": "non",
        "amenagement": "non",
        "consentement_presse": "oui",
        "consentement_organismes_prives": "non",
        "consentement_collectivites": "oui",
    },
    "qualification": {"specialite": "BANQUE", "forme": "globale"},
    "acquis": {},
    "diplome": {"diplome": "BAC-GEN"},
    "epreuves": {"option-E2": "Anglais", "option-EF1": "Allemand", "facultatives": "EF1"},
}


@dataclass(frozen=True)
class Platform:
    offset: int
    local: Path
    db_prefix: str
    postgres: str
    amqp: str

    def url(self, service: str) -> str:
        return f"http://{HOST}:{PORTS[service] + self.offset}"


@dataclass
class Candidate:
    email: str
    http: aiohttp.ClientSession
    candidature: str = ""


# --- the bare aiohttp-jinja2 page --------------------------------------------------------------

BARE_TEMPLATE = """<!doctype html><html lang="fr"><head><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>{% for i in items %}<p>{{ i }}</p>{% endfor %}</main></body></html>
"""


def serve_bare(port: int) -> None:
    import aiohttp_jinja2
    import jinja2
    from aiohttp import web

    async def page(request: web.Request) -> web.Response:
        context = {"title": "Page nue", "items": [f"ligne {i} <b>" for i in range(40)]}
        return aiohttp_jinja2.render_template("page.html", request, context)

    app = web.Application()
    aiohttp_jinja2.setup(
        app, loader=jinja2.DictLoader({"page.html": BARE_TEMPLATE}), autoescape=True
    )
    app.router.add_get("/page", page)
    app.router.add_get("/health/ready", page)
    web.run_app(
        app, host=HOST, port=port, access_log=None, print=None, loop=uvloop.new_event_loop()
    )


# --- set-up through the services and the portal ------------------------------------------------


def activation_token(platform: Platform, email: str) -> str | None:
    folder = platform.local / "mail" / "new"
    for path in folder.glob("*") if folder.exists() else []:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if email in str(message["To"]) and "Activer" in str(message["Subject"]):
            body = message.get_body(("plain",))
            text = body.get_content() if body is not None else ""
            found = re.search(r"token=([A-Za-z0-9_-]+)", text)
            if found:
                return found.group(1)
    return None


async def form_token(http: aiohttp.ClientSession, url: str, pattern: re.Pattern[str]) -> str:
    async with http.get(url) as response:
        found = pattern.search(await response.text())
    assert found, f"no {pattern.pattern} on {url}"
    return found.group(1)


async def candidate(platform: Platform, gate: asyncio.Semaphore) -> Candidate:
    email = f"bench.{uuid.uuid4().hex[:10]}@example.org"
    portal = platform.url("portal")
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with gate:
        body = {"email": email, "password": PASSWORD, "identite": identite_json()}
        async with http.post(platform.url("accounts") + "/api/v1/accounts", json=body) as r:
            assert r.status == 202, await r.text()
        token = None
        while token is None:
            await asyncio.sleep(0.2)
            token = activation_token(platform, email)
        async with http.get(portal + "/compte/activation", params={"token": token}) as r:
            assert r.status == 200
    # One login at a time: every session comes from this one address, and accounts counts each
    # attempt against it before checking the password (its per-client throttle).
    async with LOGINS:
        csrf = await form_token(http, portal + "/connexion", CSRF)
        login = {"csrf": csrf, "email": email, "password": PASSWORD, "suite": "/"}
        async with http.post(portal + "/connexion", data=login) as r:
            page = await r.text()
            assert "Bienvenue" in page, re.findall(r"<(?:h1|p)[^>]*>([^<]*)<", page)[:6]
    return Candidate(email, http)


async def register(platform: Platform, who: Candidate, gate: asyncio.Semaphore) -> None:
    portal = platform.url("portal")
    async with gate:
        choice = f"{portal}/inscription?examen=BTS&session=2027&academie={ACADEMIE}"
        while not who.candidature:
            csrf = await form_token(who.http, choice, CSRF)
            nonce = await form_token(who.http, choice, NONCE)
            draft = {"csrf": csrf, "nonce": nonce, "examen": "BTS", "session": "2027"}
            async with who.http.post(
                portal + "/inscription", data=draft | {"academie": ACADEMIE}
            ) as r:
                if "/identification" in str(r.url):
                    who.candidature = str(r.url).split("/inscription/")[1].split("/")[0]
                else:
                    await asyncio.sleep(0.5)  # the identity is on its way through the bus
        base = f"{portal}/inscription/{who.candidature}"
        for tab, fields in TABS.items():
            form = aiohttp.FormData({"csrf": csrf, "action": "suivant", **fields})
            if tab == "epreuves":
                form.add_field("facultatives", "EF3")
            async with who.http.post(f"{base}/{tab}", data=form) as r:
                assert r.status == 200, (tab, r.status)
        nonce = await form_token(who.http, f"{base}/recapitulatif", NONCE)
        save = {"csrf": csrf, "nonce": nonce, "version": "0"}
        async with who.http.post(f"{base}/enregistrer", data=save) as r:
            assert "/numero" in str(r.url), await r.text()


# --- measure -----------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    latencies: list[float]
    seconds: float
    errors: int

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000 if ordered else 0.0


async def hammer(
    name: str, sessions: list[tuple[aiohttp.ClientSession, str]], seconds: float
) -> Result:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker(http: aiohttp.ClientSession, url: str) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            async with http.get(url, allow_redirects=False) as response:
                await response.read()
                if response.status != 200:
                    errors += 1
                    continue
            latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(worker(http, url) for http, url in sessions))
    return Result(name, latencies, time.perf_counter() - began, errors)


def report(results: list[Result], sessions: int) -> None:
    bare = results[0]
    print(f"\nportal benchmark: {sessions} concurrent sessions, client and servers on {HOST}")
    print(f"{'page':44} {'pages/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'vs bare':>8}")
    for r in results:
        print(
            f"{r.name:44} {r.rate:8.0f} {r.percentile(0.50):8.1f} {r.percentile(0.99):8.1f} "
            f"{r.errors:6d} {r.rate / bare.rate:7.2f}x"
        )


async def main(arguments: argparse.Namespace) -> None:
    offset, local, prefix = arguments.platform.split(":")
    platform = Platform(int(offset), Path(local), prefix, arguments.postgres, arguments.amqp)
    await wait_ready(platform.url("portal"))
    accounts_database = f"{platform.postgres.rsplit('/', 1)[0]}/{platform.db_prefix}accounts"
    await open_window_now(
        platform.url("accounts"),
        platform.url("registration"),
        accounts_database,
        platform.amqp,
        ACADEMIE,
    )
    gate = asyncio.Semaphore(8)
    print(f"setting up {arguments.sessions} candidates through the portal…", flush=True)
    candidates = await asyncio.gather(
        *(candidate(platform, gate) for _ in range(arguments.sessions))
    )
    try:
        await asyncio.gather(*(register(platform, c, gate) for c in candidates))
        port = free_port()
        with process([sys.executable, SCRIPT, "--serve-bare", str(port)], {"PYTHONPATH": ROOT}):
            bare = f"http://{HOST}:{port}"
            await wait_ready(bare)
            portal = platform.url("portal")
            async with aiohttp.ClientSession() as anonymous:
                plan = [
                    ("bare aiohttp-jinja2 page", [(anonymous, bare + "/page")] * len(candidates)),
                    (
                        "home (signed in, announcements)",
                        [(c.http, portal + "/") for c in candidates],
                    ),
                    (
                        "Acquis tab (heaviest: 3 signed-in reads)",
                        [
                            (c.http, f"{portal}/inscription/{c.candidature}/acquis")
                            for c in candidates
                        ],
                    ),
                    (
                        "Mes documents of the candidature",
                        [(c.http, f"{portal}/documents/{c.candidature}") for c in candidates],
                    ),
                ]
                results = [await hammer(name, s, arguments.seconds) for name, s in plan]
        report(results, len(candidates))
    finally:
        for c in candidates:
            await c.http.close()


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sessions", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--platform", default="0:.local:", help="offset:local folder:db prefix")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--amqp", default="amqp://guest:guest@127.0.0.1:5672/")
    parser.add_argument("--serve-bare", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse()
    if arguments.serve_bare:
        serve_bare(arguments.serve_bare)
    else:
        uvloop.run(main(arguments))
