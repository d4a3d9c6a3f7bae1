"""Benchmark of the back office's search and export over generated candidatures (issue 12).

    .venv/bin/python benchmarks/back_office_bench.py [--candidatures 100000] [--searches 500]

Creates a scratch database with the seed, starts the registration service in this process
(so that its memory is this process's), generates the candidatures directly in SQL
(generate_series), then prints: the latency of searches by name prefix (p50/p95/p99, as a
gestionnaire of one académie and as an administrateur), the export's rows/s and the process's
peak memory during it (resident set sampled every 5 ms, and ru_maxrss), next to a bare
`COPY (the export's statement) TO STDOUT` of the same rows in the same run. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import socket
import statistics
import time
import uuid
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web

from registration.adapters import recherche_sql
from registration.app import build_app
from registration.seed.__main__ import seed
from registration.settings import Settings
from shared.auth import Role
from shared.testing.plugin import create_database, drop_database
from shared.testing.tokens import TestKeys

HOST = "127.0.0.1"
PAGE = os.sysconf("SC_PAGE_SIZE")
NOMS = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Müller", "Lefebvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément",
    "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Éluard", "Œuvray",
]  # fmt: skip
PRENOMS = ["Jean", "Marie", "Léa", "Chloé", "Hugo", "Inès", "Noé", "Zoé", "Loïc", "Anaïs"]
EPREUVES = [
    {"code": f"E{i}", "libelle": f"Épreuve {i}", "intitule": f"E{i} - Épreuve numéro {i}",
     "nature": "obligatoire", "position": "Inscrit", "mode": "Ponctuel"}
    for i in range(1, 11)
]  # fmt: skip

GENERATE = """
INSERT INTO candidatures (id, account_id, examen_code, session_annee, academie_code, statut,
    version, numero_candidat, numero_inscription, created_at, updated_at, nom, prenoms, nom_cle,
    specialite_code, categorie_code, etablissement_code)
SELECT g.id, gen_random_uuid(), 'BTS', 2027, g.academie,
       CASE WHEN g.i % 20 = 0 THEN 'desinscrite' ELSE 'active' END, 1,
       'C' || lpad(g.i::text, 9, '0'), 'I' || lpad(g.i::text, 9, '0'), now(), now(),
       g.nom, g.prenoms, recherche_cle(g.nom || ' ' || g.prenoms),
       (ARRAY['BANQUE', 'MCO', 'NDRC', 'SIO'])[1 + g.i % 4],
       (ARRAY['FC', 'SCOL', 'EP'])[1 + g.i % 3],
       'ETAB-' || (g.i % 200)
FROM (SELECT i, gen_random_uuid() AS id,
             $1::text[] AS a, $2::text[] AS n, $3::text[] AS p
      FROM generate_series(1, $4) AS i) s,
LATERAL (SELECT s.i, s.id, s.a[1 + s.i % array_length(s.a, 1)] AS academie,
                s.n[1 + (s.i * 7919) % array_length(s.n, 1)] || CASE WHEN s.i % 3 = 0
                    THEN '-' || s.n[1 + (s.i / 3) % array_length(s.n, 1)] ELSE '' END AS nom,
                s.p[1 + s.i % array_length(s.p, 1)] AS prenoms) g
"""
VERSIONS = """
INSERT INTO candidature_versions (candidature_id, version, saved_at, closes_at, snapshot)
SELECT c.id, 1, now(), now() + interval '30 days', jsonb_build_object(
    'candidature', jsonb_build_object('nom', c.nom, 'prenoms', c.prenoms, 'civilite', 'M',
        'specialite_code', c.specialite_code, 'specialite_libelle', 'Spécialité ' ||
        c.specialite_code, 'numero_candidat', c.numero_candidat,
        'numero_inscription', c.numero_inscription),
    'recapitulatif', jsonb_build_object('identite', jsonb_build_object('date_naissance',
        '2001-02-03'), 'categorie', c.categorie_code, 'categorie_code', c.categorie_code,
        'etablissement', 'Établissement ' || c.etablissement_code,
        'etablissement_code', c.etablissement_code, 'epreuves', $1::jsonb))
FROM candidatures c
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def maxrss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def mib(n: float) -> str:
    return f"{n / 2**20:.1f} MiB"


async def generate(dsn: str, count: int) -> float:
    started = time.perf_counter()
    conn = await asyncpg.connect(dsn)
    try:
        academies = [r[0] for r in await conn.fetch("SELECT code FROM academies ORDER BY code")]
        await conn.execute(GENERATE, academies, NOMS, PRENOMS, count)
        # The columns are set above: the trigger that copies them from the version is skipped.
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(VERSIONS, json.dumps(EPREUVES))
        await conn.execute(
            "INSERT INTO candidature_sante SELECT id, 1, false, false FROM candidatures"
        )
        await conn.execute("RESET session_replication_role")
        await conn.execute("VACUUM ANALYZE candidatures")
        await conn.execute("VACUUM ANALYZE candidature_versions")
    finally:
        await conn.close()
    return time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


async def searches(
    session: aiohttp.ClientSession, base: str, headers: dict[str, str], n: int, label: str
) -> None:
    rng = random.Random(12)
    latencies: list[float] = []
    sizes: list[int] = []
    for _ in range(n):
        nom = rng.choice(NOMS)
        prefix = nom[: rng.randint(2, min(6, len(nom)))].lower()
        started = time.perf_counter()
        async with session.get(f"{base}/api/v1/admin/candidatures", params={"nom": prefix},
                               headers=headers) as response:  # fmt: skip
            body = await response.json()
            assert response.status == 200, body
        latencies.append((time.perf_counter() - started) * 1000)
        sizes.append(len(body["items"]))
    print(
        f"search by name prefix, {label:28} n={n}: p50 {statistics.median(latencies):6.2f} ms"
        f"  p95 {percentile(latencies, 0.95):6.2f} ms  p99 {percentile(latencies, 0.99):6.2f} ms"
        f"  (mean {statistics.mean(sizes):.0f} rows/page)"
    )


async def sample_rss(peak: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], rss())
        await asyncio.sleep(0.005)


async def export(session: aiohttp.ClientSession, base: str, headers: dict[str, str]) -> None:
    before, before_max = rss(), maxrss()
    peak, stop = [before], asyncio.Event()
    sampler = asyncio.create_task(sample_rss(peak, stop))
    started = time.perf_counter()
    lines = size = 0
    async with session.get(f"{base}/api/v1/admin/candidatures/export.csv",
                           headers=headers) as response:  # fmt: skip
        assert response.status == 200
        async for chunk in response.content.iter_chunked(1 << 16):
            lines += chunk.count(b"\n")
            size += len(chunk)
    elapsed = time.perf_counter() - started
    stop.set()
    await sampler
    rows = lines - 1
    print(
        f"export.csv over HTTP: {rows} rows, {mib(size)} in {elapsed:.2f} s = "
        f"{rows / elapsed:,.0f} rows/s; process RSS before {mib(before)}, peak during "
        f"{mib(peak[0])} (+{mib(peak[0] - before)}); ru_maxrss +{mib(maxrss() - before_max)}"
    )


async def bare_copy(dsn: str) -> None:
    sql, args = recherche_sql.export_query({}, None, datetime_now(), sante=False)
    conn = await asyncpg.connect(dsn)
    size = 0
    lines = 0

    async def sink(data: bytes) -> None:
        nonlocal size, lines
        size += len(data)
        lines += data.count(b"\n")

    try:
        started = time.perf_counter()
        query = sql.replace("$1", "NULL") if args else sql  # no filter, no parameter
        await conn.copy_from_query(query, output=sink, format="csv", delimiter=";", header=True)
        elapsed = time.perf_counter() - started
    finally:
        await conn.close()
    rows = lines - 1
    print(
        f"bare COPY (same statement) TO STDOUT: {rows} rows, {mib(size)} in {elapsed:.2f} s = "
        f"{rows / elapsed:,.0f} rows/s"
    )


def datetime_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


async def main(arguments: argparse.Namespace) -> None:
    tag = uuid.uuid4().hex[:10]
    keys = TestKeys()
    dsn = await create_database(arguments.postgres)
    runner: web.AppRunner | None = None
    try:
        await seed(dsn, "registration")
        port = free_port()
        settings = Settings(
            database_url=dsn,
            amqp_url=arguments.amqp,
            events_exchange=f"bench-events.{tag}",
            queue_prefix=f"bench.{tag}",
            log_level="WARNING",
            jwt_jwks=json.dumps(keys.jwks),
        )
        runner = web.AppRunner(build_app(settings), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, HOST, port).start()
        base = f"http://{HOST}:{port}"
        print(f"generating {arguments.candidatures} candidatures ...")
        print(f"generated in {await generate(dsn, arguments.candidatures):.1f} s")
        admin = {"Authorization": f"Bearer {keys.token(Role.ADMINISTRATEUR)}"}
        gest = {"Authorization": f"Bearer {keys.token(Role.GESTIONNAIRE, academies=['001'])}"}
        async with aiohttp.ClientSession() as session:
            await searches(session, base, gest, 50, "warm-up")
            await searches(session, base, gest, arguments.searches, "gestionnaire of 001")
            await searches(session, base, admin, arguments.searches, "administrateur (national)")
            await export(session, base, admin)
            await bare_copy(dsn)
            await export(session, base, admin)
            await bare_copy(dsn)
    finally:
        if runner is not None:
            await runner.cleanup()
        await drop_database(arguments.postgres, dsn)
        await delete_bus(arguments.amqp, f"bench-events.{tag}", f"bench.{tag}")


async def delete_bus(amqp_url: str, exchange: str, prefix: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = f"{prefix}.identites"
        for name in [queue, f"{queue}.dead"] + [
            f"{queue}.retry.{ms}" for ms in (1000, 5000, 30000, 120000, 600000)
        ]:
            await channel.queue_delete(name)
        await channel.exchange_delete(exchange)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--candidatures", type=int, default=100_000, help="at most 1000000")
    parser.add_argument("--searches", type=int, default=500, help="per identity, at most 10000")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--amqp", default=os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    )
    arguments = parser.parse_args()
    arguments.candidatures = min(max(arguments.candidatures, 1), 1_000_000)
    arguments.searches = min(max(arguments.searches, 1), 10_000)
    return arguments


if __name__ == "__main__":
    asyncio.run(main(parse_arguments()))
