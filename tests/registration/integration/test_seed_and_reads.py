"""The seed référentiel through the database and the public endpoints."""

from __future__ import annotations

import asyncpg

from registration.app import MIGRATIONS
from registration.seed.__main__ import seed
from registration.settings import Settings
from tests.registration.conftest import ServiceUnderTest, Start, problem

TABLES = (
    "examens",
    "sessions",
    "academies",
    "specialites",
    "epreuves",
    "categories",
    "etablissements",
    "etablissement_categories",
    "types_acquis",
    "diplomes",
    "fenetres",
)


async def row_counts(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        return {table: await conn.fetchval(f"SELECT count(*) FROM {table}") for table in TABLES}
    finally:
        await conn.close()


async def test_the_seed_loads_on_an_empty_database(settings: Settings) -> None:
    counts = await seed(settings.database_url, settings.service_name)

    assert counts["academies"] >= 30
    assert counts["specialites"] >= 3
    assert counts["fenetres_added"] == counts["academies"]
    rows = await row_counts(settings.database_url)
    assert rows["academies"] == counts["academies"]
    assert rows["fenetres"] == counts["academies"]


async def test_loading_the_seed_twice_adds_nothing(settings: Settings) -> None:
    await seed(settings.database_url, settings.service_name)
    once = await row_counts(settings.database_url)

    again = await seed(settings.database_url, settings.service_name)

    assert again["fenetres_added"] == 0
    assert await row_counts(settings.database_url) == once


async def test_banque_comes_with_its_epreuves_sous_epreuves_and_facultatives(
    service: ServiceUnderTest,
) -> None:
    client = service.client

    response = await client.get("/api/v1/examens/BTS/sessions/2027/specialites/BANQUE")

    assert response.status == 200
    banque = await response.json()
    epreuves = {e["code"]: e for e in banque["epreuves"]}
    assert list(epreuves) == ["E1", "E2", "E3", "E4", "E5", "C-ANGL", "EF1", "EF2", "EF3"]
    assert [s["code"] for s in epreuves["E2"]["sous_epreuves"]] == ["E2-A", "E2-B"]
    assert [s["libelle"] for s in epreuves["E4"]["sous_epreuves"]] == [
        "Étude de cas",
        "Analyse situation commerciale",
    ]
    assert {code for code, e in epreuves.items() if e["nature"] == "facultative"} == {
        "EF1",
        "EF2",
        "EF3",
    }
    assert "Anglais" in epreuves["E2"]["options"]


async def test_public_reads_of_the_referentiel(service: ServiceUnderTest) -> None:
    client = service.client

    examens = await (await client.get("/api/v1/examens")).json()
    sessions = await (await client.get("/api/v1/examens/BTS/sessions")).json()
    academies = await (await client.get("/api/v1/academies")).json()
    specialites = await (await client.get("/api/v1/examens/BTS/sessions/2027/specialites")).json()
    categories = await (await client.get("/api/v1/categories")).json()

    assert [e["code"] for e in examens] == ["BTS"]
    assert [s["annee"] for s in sessions] == [2027]
    assert {"America/Martinique", "Pacific/Noumea"} <= {a["fuseau_horaire"] for a in academies}
    assert {"BANQUE", "MCO", "SIO"} <= {s["code"] for s in specialites}
    distance = next(c for c in categories if c["libelle"] == "ENSEIGNEMENT A DISTANCE")
    assert distance["modes"] == ["ponctuel"]
    assert (await client.get("/api/v1/types-acquis")).status == 200
    assert (await client.get("/api/v1/diplomes")).status == 200


async def test_etablissements_are_filtered_by_academie_and_categorie(
    service: ServiceUnderTest,
) -> None:
    client = service.client

    distance = await client.get(
        "/api/v1/etablissements", params={"academie": "025", "categorie": "ED"}
    )
    individuels = await client.get(
        "/api/v1/etablissements", params={"academie": "025", "categorie": "FC"}
    )

    assert [e["libelle"] for e in await distance.json()] == ["CNED"]
    assert [e["libelle"] for e in await individuels.json()] == ["INDIVIDUELS 025"]


async def test_an_unknown_specialite_is_a_404_problem(service: ServiceUnderTest) -> None:
    client = service.client
    response = await client.get("/api/v1/examens/BTS/sessions/2027/specialites/NOPE")
    await problem(response, 404)


async def test_every_migration_applies_on_an_empty_database(
    start: Start, settings: Settings
) -> None:
    client = (await start(seeded=False)).client

    conn = await asyncpg.connect(settings.database_url)
    try:
        applied = await conn.fetch(
            "SELECT name FROM schema_migrations WHERE component = 'registration' ORDER BY version"
        )
    finally:
        await conn.close()
    # Every file of the folder, in order (branches add theirs: the list is the folder's).
    on_disk = sorted(path.name for path in MIGRATIONS.glob("*.sql"))
    assert on_disk[:6] == [
        "001_referentiel.sql",
        "002_fenetres.sql",
        "003_identites.sql",
        "004_erased_accounts.sql",
        "005_services_gestionnaires.sql",
        "006_candidatures.sql",
    ]
    assert [row["name"] for row in applied] == on_disk
    assert await (await client.get("/api/v1/ouvertures")).json() == []
    document = await (await client.get("/openapi.json")).json()
    assert "/api/v1/ouvertures" in document["paths"]
