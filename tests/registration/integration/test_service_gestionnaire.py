"""The exam office a candidate contacts (guide, chapter 4: "le service gestionnaire dont les
coordonnées sont indiquées en haut de la page ou sur mon récapitulatif d'inscription")."""

from __future__ import annotations

from typing import Any

import asyncpg

from registration.handlers.referentiel import service_gestionnaire
from registration.settings import Settings
from shared.events.catalogue import ServiceGestionnaire
from shared.testing.factories import candidature_ref
from tests.registration.conftest import ServiceUnderTest, problem

IMPORT = "/api/v1/admin/referentiel/import"
BESANCON_BTS = "/api/v1/academies/003/service-gestionnaire"


def office(academie: str, examen: str | None = None, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "academie": academie,
        "libelle": "Rectorat d'essai – DEC",
        "adresse": ["Bureau des BTS", "1 rue de l'Exemple", "25000 Besançon"],
        "email": "bts@003.exemple.fr",
        "telephone": "01 99 00 09 99",
        "horaires": "Du lundi au vendredi, de 9 h à 12 h",
    }
    if examen is not None:
        values["examen"] = examen
    return {**values, **overrides}


async def test_an_academie_is_read_with_its_service_gestionnaire(
    service: ServiceUnderTest,
) -> None:
    response = await service.client.get("/api/v1/academies/003")

    assert response.status == 200, await response.text()
    besancon = await response.json()
    assert besancon["libelle"] == "Besançon"
    office = besancon["service_gestionnaire"]
    assert office["email"] == "examens@003.exemple.fr"
    assert office["telephone"].startswith("01 99 00 ")
    assert office["adresse"][0].startswith("Rectorat de Besançon")
    ServiceGestionnaire.model_validate(office)


async def test_every_seed_academie_has_a_service_gestionnaire(service: ServiceUnderTest) -> None:
    academies = await (await service.client.get("/api/v1/academies")).json()
    for academie in academies:
        response = await service.client.get(f"/api/v1/academies/{academie['code']}")
        assert (await response.json())["service_gestionnaire"] is not None, academie


async def test_an_examen_handled_elsewhere_has_its_own_office(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    imported = await client.post(
        IMPORT, json={"services_gestionnaires": [office("003", "BTS")]}, headers=admin
    )
    assert imported.status == 200, await imported.text()

    bts = await client.get(BESANCON_BTS, params={"examen": "BTS"})
    other = await client.get(BESANCON_BTS, params={"examen": "CAP"})
    academie = await client.get(BESANCON_BTS)

    assert (await bts.json())["email"] == "bts@003.exemple.fr"
    assert (await other.json())["email"] == "examens@003.exemple.fr"
    assert (await academie.json())["email"] == "examens@003.exemple.fr"


async def test_a_service_gestionnaire_import_is_checked_like_the_others(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    batch = {
        "services_gestionnaires": [
            office("999"),
            office("003", "XYZ"),
            office("004", email="pas une adresse", telephone="appelez-nous"),
            office("003", "BTS"),
            office("003", "BTS"),
        ]
    }

    refused = await problem(await service.client.post(IMPORT, json=batch, headers=admin), 422)

    assert {(e["field"], e["code"]) for e in refused["errors"]} == {
        ("services_gestionnaires[2].email", "value_error"),
        ("services_gestionnaires[2].telephone", "string_pattern_mismatch"),
    }
    batch["services_gestionnaires"].pop(2)
    refused = await problem(await service.client.post(IMPORT, json=batch, headers=admin), 422)
    assert {(e["field"], e["code"]) for e in refused["errors"]} == {
        ("services_gestionnaires[0].academie", "unknown-code"),
        ("services_gestionnaires[1].examen", "unknown-code"),
        ("services_gestionnaires[3]", "duplicate"),
    }


async def test_a_service_gestionnaire_comes_as_csv_and_goes(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    text = (
        "academie;examen;libelle;adresse;email;telephone;horaires\n"
        "003;BTS;SIEC d'essai;Bâtiment B|1 rue de l'Exemple|25000 Besançon;"
        "siec@003.exemple.fr;01 99 00 09 98;Le mardi, de 14 h à 16 h\n"
    )
    imported = await client.post(
        IMPORT,
        params={"kind": "services_gestionnaires"},
        data=text.encode(),
        headers={**admin, "Content-Type": "text/csv"},
    )
    assert imported.status == 200, await imported.text()
    bts = await (await client.get(BESANCON_BTS, params={"examen": "BTS"})).json()
    assert bts["adresse"] == ["Bâtiment B", "1 rue de l'Exemple", "25000 Besançon"]

    path = "/api/v1/admin/referentiel/services_gestionnaires/003/BTS"
    removed = await client.delete(path, headers=admin)

    assert (await removed.json())["result"] == "deleted"
    bts = await (await client.get(BESANCON_BTS, params={"examen": "BTS"})).json()
    assert bts["email"] == "examens@003.exemple.fr"


async def test_an_unknown_academie_has_no_service_gestionnaire(service: ServiceUnderTest) -> None:
    await problem(await service.client.get("/api/v1/academies/999"), 404)
    await problem(await service.client.get("/api/v1/academies/999/service-gestionnaire"), 404)


async def test_the_candidature_part_fills_the_event_with_it(
    service: ServiceUnderTest, settings: Settings
) -> None:
    conn = await asyncpg.connect(settings.database_url)
    try:
        found = await service_gestionnaire(conn, "003", "BTS")
    finally:
        await conn.close()

    assert found is not None
    ref = candidature_ref(service_gestionnaire=ServiceGestionnaire(**found.model_dump()))
    assert ref.service_gestionnaire is not None
    assert ref.service_gestionnaire.email == "examens@003.exemple.fr"
