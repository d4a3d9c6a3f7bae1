"""Administrateurs change the référentiel: whole imports or nothing, retire what is in use."""

from __future__ import annotations

from typing import Any

import asyncpg

from registration.domain.imports import KINDS
from registration.settings import Settings
from shared.auth import Role
from shared.testing.tokens import TestKeys
from tests.registration.conftest import Client, ServiceUnderTest, gestionnaire, problem

IMPORT = "/api/v1/admin/referentiel/import"


def new_specialite(code: str, nature: str = "obligatoire") -> dict[str, Any]:
    return {
        "examen": "BTS",
        "session": 2027,
        "code": code,
        "libelle": f"Spécialité {code}",
        "epreuves": [
            {"code": "E1", "libelle": "Culture générale et expression", "nature": nature},
        ],
    }


async def specialite_codes(client: Client) -> set[str]:
    response = await client.get("/api/v1/examens/BTS/sessions/2027/specialites")
    return {s["code"] for s in await response.json()}


async def academie_codes(client: Client) -> set[str]:
    return {a["code"] for a in await (await client.get("/api/v1/academies")).json()}


async def test_a_json_import_is_applied_whole(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    batch = {
        "specialites": [new_specialite("NDRC"), new_specialite("CG")],
        "diplomes": [{"code": "BP", "libelle": "BREVET PROFESSIONNEL"}],
    }

    response = await client.post(IMPORT, json=batch, headers=admin)

    assert response.status == 200, await response.text()
    assert (await response.json())["applied"] == {"specialites": 2, "epreuves": 2, "diplomes": 1}
    assert {"NDRC", "CG"} <= await specialite_codes(client)


async def test_an_import_with_one_bad_row_changes_nothing(
    service: ServiceUnderTest, admin: dict[str, str], settings: Settings
) -> None:
    client = service.client
    before = await snapshot(settings)
    batch = {
        "academies": [{"code": "950", "libelle": "Nouvelle", "fuseau_horaire": "Europe/Paris"}],
        "specialites": [new_specialite("NDRC"), new_specialite("CG", nature="parfois")],
    }

    refused = await problem(await client.post(IMPORT, json=batch, headers=admin), 422)

    assert [e["field"] for e in refused["errors"]] == ["specialites[1].epreuves[0].nature"]
    assert "nothing was changed" in refused["detail"]
    assert await snapshot(settings) == before


async def test_every_problem_of_an_import_is_listed(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    batch = {
        "sessions": [{"examen": "CAP", "annee": 2027, "libelle": "2027"}],
        "etablissements": [
            {"code": "LYC-1", "libelle": "Lycée", "academie": "999", "categories": ["FC", "ZZ"]}
        ],
    }

    refused = await problem(await client.post(IMPORT, json=batch, headers=admin), 422)

    assert {(e["field"], e["code"]) for e in refused["errors"]} == {
        ("sessions[0].examen", "unknown-code"),
        ("etablissements[0].academie", "unknown-code"),
        ("etablissements[0].categories", "unknown-code"),
    }


async def snapshot(settings: Settings) -> list[Any]:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return [
            await conn.fetch("SELECT * FROM academies ORDER BY code"),
            await conn.fetch("SELECT * FROM specialites ORDER BY code"),
            await conn.fetch("SELECT * FROM epreuves ORDER BY specialite_code, code"),
        ]
    finally:
        await conn.close()


def csv_headers(admin: dict[str, str]) -> dict[str, str]:
    return {**admin, "Content-Type": "text/csv"}


async def test_a_csv_import_in_utf8_with_a_bom(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    text = "code;libelle;fuseau_horaire;outre_mer\n951;Académie d'essai;Indian/Reunion;true\n"
    response = await client.post(
        IMPORT,
        params={"kind": "academies"},
        data="\ufeff".encode() + text.encode(),
        headers=csv_headers(admin),
    )

    assert response.status == 200, await response.text()
    assert "951" in await academie_codes(client)


async def test_a_csv_in_latin1_is_refused_and_changes_nothing(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    text = "code,libelle,fuseau_horaire\n952,Académie,Europe/Paris\n"

    refused = await problem(
        await client.post(
            IMPORT,
            params={"kind": "academies"},
            data=text.encode("latin-1"),
            headers=csv_headers(admin),
        ),
        422,
    )

    assert [e["code"] for e in refused["errors"]] == ["encoding"]
    assert "952" not in await academie_codes(client)


async def test_a_csv_with_wrong_columns_is_refused(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    refused = await problem(
        await client.post(
            IMPORT,
            params={"kind": "diplomes"},
            data=b"code,intitule\nBP,Brevet\n",
            headers=csv_headers(admin),
        ),
        422,
    )
    assert {e["field"] for e in refused["errors"]} == {"column intitule", "column libelle"}


async def test_a_huge_import_is_refused(service: ServiceUnderTest, admin: dict[str, str]) -> None:
    client = service.client
    rows = "".join(f"D{n},Diplôme numéro {n} avec un libellé assez long\n" for n in range(40_000))
    response = await client.post(
        IMPORT,
        params={"kind": "diplomes"},
        data=("code,libelle\n" + rows).encode(),
        headers=csv_headers(admin),
    )
    await problem(response, 413)


async def test_only_administrateurs_change_the_referentiel(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    client = service.client
    batch = {"diplomes": [{"code": "BP", "libelle": "BREVET PROFESSIONNEL"}]}
    candidat = {"Authorization": f"Bearer {test_keys.token(Role.CANDIDAT)}"}

    await problem(await client.post(IMPORT, json=batch), 401)
    await problem(await client.post(IMPORT, json=batch, headers=candidat), 403)
    await problem(
        await client.post(IMPORT, json=batch, headers=gestionnaire(test_keys, "001")), 403
    )


async def test_an_item_in_use_is_retired_and_an_unused_one_deleted(
    service: ServiceUnderTest, admin: dict[str, str], settings: Settings
) -> None:
    client = service.client
    await client.put(
        "/api/v1/admin/referentiel/academies",
        json={"code": "953", "libelle": "Vide", "fuseau_horaire": "Europe/Paris"},
        headers=admin,
    )

    in_use = await client.delete("/api/v1/admin/referentiel/academies/031", headers=admin)
    unused = await client.delete("/api/v1/admin/referentiel/academies/953", headers=admin)
    missing = await client.delete("/api/v1/admin/referentiel/academies/953", headers=admin)

    assert (await in_use.json())["result"] == "retired"
    assert (await unused.json())["result"] == "deleted"
    await problem(missing, 404)
    assert {"031", "953"}.isdisjoint(await academie_codes(client))
    conn = await asyncpg.connect(settings.database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM fenetres WHERE academie_code = '031'") == 1
    finally:
        await conn.close()


async def test_an_epreuve_is_changed_alone(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    epreuve = {
        "examen": "BTS",
        "session": 2027,
        "specialite": "BANQUE",
        "code": "EF2",
        "libelle": "Certification professionnelle",
        "nature": "facultative",
        "modes": "ponctuel|ccf",
        "rang": 7,
    }

    response = await client.put("/api/v1/admin/referentiel/epreuves", json=epreuve, headers=admin)

    assert response.status == 200, await response.text()
    banque = await (await client.get("/api/v1/examens/BTS/sessions/2027/specialites/BANQUE")).json()
    ef2 = next(e for e in banque["epreuves"] if e["code"] == "EF2")
    assert ef2["modes"] == ["ponctuel", "ccf"]


async def test_a_key_with_a_year_out_of_bounds_is_refused(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    """A year larger than the column (int32) gave a 500."""
    client = service.client

    for year, path in [
        ("99999999999", "sessions/BTS/99999999999"),
        ("1999", "specialites/BTS/1999/BANQUE"),
        ("x", "epreuves/BTS/x/BANQUE/E1"),
    ]:
        refused = await problem(
            await client.delete(f"/api/v1/admin/referentiel/{path}", headers=admin), 422
        )
        field = "key.annee" if path.startswith("sessions") else "key.session"
        assert [e["field"] for e in refused["errors"]] == [field], year


async def test_a_session_too_large_for_the_database_in_a_public_path_is_not_found(
    service: ServiceUnderTest,
) -> None:
    client = service.client

    listed = await client.get("/api/v1/examens/BTS/sessions/99999999999/specialites")
    one = await client.get("/api/v1/examens/BTS/sessions/99999999999/specialites/BANQUE")

    assert listed.status == 200
    assert await listed.json() == []
    await problem(one, 404)


async def test_a_change_is_read_at_once_through_the_replica_that_made_it(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    """The read cache is cleared after the change's transaction commits, not before."""
    client = service.client
    assert "954" not in await academie_codes(client)

    added = await client.put(
        "/api/v1/admin/referentiel/academies",
        json={"code": "954", "libelle": "Nouvelle", "fuseau_horaire": "Europe/Paris"},
        headers=admin,
    )

    assert added.status == 200, await added.text()
    assert "954" in await academie_codes(client)


async def test_import_is_not_a_kind_of_item(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    """`PUT …/{kind}` also matched `…/import`: OPTIONS offered PUT there, a PUT gave a 404."""
    client = service.client

    options = await client.options(IMPORT, headers=admin)
    put = await client.put(IMPORT, json={"code": "BP", "libelle": "BP"}, headers=admin)

    assert options.headers["Allow"] == "POST"
    await problem(put, 405)
    assert put.headers["Allow"] == "POST"


async def openapi(client: Client) -> dict[str, Any]:
    document: dict[str, Any] = await (await client.get("/openapi.json")).json()
    return document


async def test_openapi_describes_the_import_and_item_bodies(service: ServiceUnderTest) -> None:
    document = await openapi(service.client)
    schemas = document["components"]["schemas"]

    imported = document["paths"][IMPORT]["post"]["requestBody"]["content"]
    item = document["paths"]["/api/v1/admin/referentiel/{kind}"]["put"]["requestBody"]["content"]

    assert set(imported) == {"application/json", "text/csv"}
    body = schemas[imported["application/json"]["schema"]["$ref"].split("/")[-1]]
    assert body == {"$ref": "#/components/schemas/ImportBatch"}
    assert "specialites" in schemas["ImportBatch"]["properties"]
    variants = schemas[item["application/json"]["schema"]["$ref"].split("/")[-1]]["anyOf"]
    assert {"#/components/schemas/Academie", "#/components/schemas/Epreuve"} <= {
        variant["$ref"] for variant in variants
    }


async def test_openapi_lists_the_kinds_of_item(service: ServiceUnderTest) -> None:
    document = await openapi(service.client)
    for path, method in [
        ("/api/v1/admin/referentiel/{kind}", "put"),
        ("/api/v1/admin/referentiel/{kind}/{key}", "delete"),
    ]:
        (kind,) = [p for p in document["paths"][path][method]["parameters"] if p["name"] == "kind"]
        assert set(kind["schema"]["enum"]) == set(KINDS)


async def test_a_diplomes_short_label_and_dispenses_are_imported_and_replaced(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    rows = "code,libelle,libelle_court,dispenses\nBP,BREVET PROFESSIONNEL,BP,{}\n"

    async def bp() -> dict[str, Any]:
        diplomes = await (await client.get("/api/v1/diplomes")).json()
        found: dict[str, Any] = next(d for d in diplomes if d["code"] == "BP")
        return found

    for dispenses, expected in (
        ("BTS/BANQUE/E1|BTS/MCO/E1", ["BTS/BANQUE/E1", "BTS/MCO/E1"]),
        ("BTS/SIO/E1", ["BTS/SIO/E1"]),  # the item's list replaces the former one
    ):
        response = await client.post(
            IMPORT,
            params={"kind": "diplomes"},
            data=rows.format(dispenses).encode(),
            headers=csv_headers(admin),
        )
        assert response.status == 200, await response.text()
        assert await bp() == {
            "code": "BP",
            "libelle": "BREVET PROFESSIONNEL",
            "libelle_court": "BP",
            "dispenses": expected,
        }
