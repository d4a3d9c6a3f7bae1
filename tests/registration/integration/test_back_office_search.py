"""The back office's search, export and counts (issue 12, points 1, 4 and 5) against the real
database: scope by académie (nothing of another revealed, each denial logged), candidate
tokens refused, literal metacharacters, signed cursors, page bounds, a consistent streamed
export with its BOM, `;` and health columns only when asked and allowed, and the audit."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from shared.auth import Role
from shared.testing.tokens import TestKeys
from tests.registration.conftest import ServiceUnderTest, gestionnaire, problem

SEARCH = "/api/v1/admin/candidatures"
EXPORT = SEARCH + "/export.csv"
COUNTS = SEARCH + "/counts"
SAVED = datetime(2026, 11, 2, 9, tzinfo=UTC)
# The seed's window of académie 001 (2026-10-12 to 2026-11-18): open at SAVED.
CLOSES = datetime(2026, 11, 18, 16, tzinfo=UTC)
SEQ = iter(range(10_000_000, 99_999_999))


async def add_candidature(
    conn: asyncpg.Connection,
    *,
    nom: str,
    prenoms: str = "Jean",
    academie: str = "001",
    specialite: str = "BANQUE",
    categorie: str = "FC",
    etablissement: str = "INDIV-001",
    statut: str = "active",
    handicap: bool = False,
) -> uuid.UUID:
    """A saved candidature (Version 01) as Enregistrer leaves it, written in SQL."""
    candidature_id = uuid.uuid4()
    n = next(SEQ)
    numero_c, numero_i = f"C{n}", f"I{academie}{n}"
    await conn.execute(
        """INSERT INTO candidatures (id, account_id, examen_code, session_annee, academie_code,
               statut, version, numero_candidat, numero_inscription, created_at, updated_at)
           VALUES ($1, $2, 'BTS', 2027, $3, $4, 1, $5, $6, $7, $7)""",
        candidature_id,
        uuid.uuid4(),
        academie,
        statut,
        numero_c,
        numero_i,
        SAVED,
    )
    snapshot = {
        "candidature": {
            "nom": nom,
            "prenoms": prenoms,
            "civilite": "M",
            "specialite_code": specialite,
            "specialite_libelle": "Banque",
            "numero_candidat": numero_c,
            "numero_inscription": numero_i,
        },
        "recapitulatif": {
            "identite": {"date_naissance": "2000-01-02"},
            "categorie": categorie,
            "categorie_code": categorie,
            "etablissement": etablissement,
            "etablissement_code": etablissement,
            "epreuves": [
                {
                    "code": "E1",
                    "libelle": "Culture générale",
                    "intitule": "E1 - Culture générale et expression",
                    "position": "Inscrit",
                    "mode": "Ponctuel",
                },
                {"code": "EF2", "libelle": "Certif", "position": "Non Inscrit"},
            ],
        },
        "saisie": {},
    }
    await conn.execute(
        """INSERT INTO candidature_versions (candidature_id, version, saved_at, closes_at,
               snapshot) VALUES ($1, 1, $2, $3, $4)""",
        candidature_id,
        SAVED,
        CLOSES,
        snapshot,
    )
    await conn.execute(
        "INSERT INTO candidature_sante VALUES ($1, 1, $2, false)", candidature_id, handicap
    )
    return candidature_id


async def add(service: ServiceUnderTest, **fields: Any) -> uuid.UUID:
    async with service.pool.acquire() as conn:
        return await add_candidature(conn, **fields)


async def search(service: ServiceUnderTest, headers: dict[str, str], **params: Any) -> Any:
    response = await service.client.get(SEARCH, params=params, headers=headers)
    assert response.status == 200, await response.text()
    return await response.json()


def names(page: dict[str, Any]) -> list[str]:
    return [f"{item['nom']} {item['prenoms']}" for item in page["items"]]


async def audit_actions(service: ServiceUnderTest) -> list[str]:
    async with service.pool.acquire() as conn:
        rows = await conn.fetch("SELECT action FROM audit_log ORDER BY id")
    return [row["action"] for row in rows]


@pytest.fixture
def gest001(test_keys: TestKeys) -> dict[str, str]:
    return gestionnaire(test_keys, "001")


async def test_search_by_name_ignores_accents_and_case_and_is_a_prefix(
    service: ServiceUnderTest, gest001: dict[str, str]
) -> None:
    service.clock.set(SAVED)
    await add(service, nom="Éléonore", prenoms="Zoé")
    await add(service, nom="ELEPHANT", prenoms="Marc")
    await add(service, nom="Dupont", prenoms="Jean")
    page = await search(service, gest001, nom="eLé")
    assert names(page) == ["Éléonore Zoé", "ELEPHANT Marc"]
    assert names(await search(service, gest001, nom="ELEONORE z")) == ["Éléonore Zoé"]
    assert (await search(service, gest001, nom="zoé"))["items"] == []
    found = page["items"][0]
    by_number = await search(service, gest001, numero_inscription=found["numero_inscription"])
    assert [i["id"] for i in by_number["items"]] == [found["id"]]
    by_candidat = await search(service, gest001, numero_candidat=found["numero_candidat"])
    assert [i["id"] for i in by_candidat["items"]] == [found["id"]]
    assert await audit_actions(service) == ["candidatures.recherche"] * 5


async def test_filters_status_window_and_referentiel_codes(
    service: ServiceUnderTest, gest001: dict[str, str]
) -> None:
    service.clock.set(SAVED)
    await add(service, nom="Actif")
    await add(service, nom="Parti", statut="desinscrite")
    await add(service, nom="Autre", specialite="MCO", categorie="SCOL", etablissement="X-1")
    assert names(await search(service, gest001, statut="withdrawn")) == ["Parti Jean"]
    assert len((await search(service, gest001, statut="active"))["items"]) == 2
    assert names(await search(service, gest001, specialite="MCO")) == ["Autre Jean"]
    assert names(await search(service, gest001, categorie="SCOL")) == ["Autre Jean"]
    assert names(await search(service, gest001, etablissement="X-1")) == ["Autre Jean"]
    assert len((await search(service, gest001, fenetre="ouverte"))["items"]) == 3
    assert (await search(service, gest001, fenetre="fermee"))["items"] == []
    service.clock.set(CLOSES)
    assert len((await search(service, gest001, fenetre="fermee"))["items"]) == 3


async def test_sql_and_like_metacharacters_are_literal(
    service: ServiceUnderTest, gest001: dict[str, str]
) -> None:
    await add(service, nom="a%b")
    await add(service, nom="a_b")
    await add(service, nom="a\\b")
    await add(service, nom="O'Brien")
    await add(service, nom="axb")
    assert names(await search(service, gest001, nom="a%")) == ["a%b Jean"]
    assert names(await search(service, gest001, nom="a_")) == ["a_b Jean"]
    assert names(await search(service, gest001, nom="a\\")) == ["a\\b Jean"]
    assert names(await search(service, gest001, nom="o'b")) == ["O'Brien Jean"]
    assert (await search(service, gest001, nom="%"))["items"] == []
    assert (await search(service, gest001, nom="' OR 1=1 --"))["items"] == []


async def test_pages_follow_a_signed_cursor_stable_under_inserts(
    service: ServiceUnderTest, gest001: dict[str, str]
) -> None:
    for i in range(7):
        await add(service, nom=f"Martin{i}")
    first = await search(service, gest001, nom="martin", limit=3)
    assert names(first) == ["Martin0 Jean", "Martin1 Jean", "Martin2 Jean"]
    # Inserted before the cursor's position: the next pages neither repeat nor skip.
    await add(service, nom="Martin0", prenoms="Aaron")
    second = await search(service, gest001, nom="martin", limit=3, cursor=first["next_cursor"])
    assert names(second) == ["Martin3 Jean", "Martin4 Jean", "Martin5 Jean"]
    third = await search(service, gest001, nom="martin", limit=3, cursor=second["next_cursor"])
    assert names(third) == ["Martin6 Jean"]
    assert third["next_cursor"] is None

    cursor = first["next_cursor"]
    tampered = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    for bad in (tampered, "not-a-cursor", cursor + "x", "%%%"):
        body = await problem(
            await service.client.get(
                SEARCH, params={"nom": "martin", "limit": 3, "cursor": bad}, headers=gest001
            ),
            400,
        )
        assert body["type"].endswith("invalid-cursor")
    # A cursor is bound to its filters.
    await problem(
        await service.client.get(
            SEARCH, params={"nom": "mart", "limit": 3, "cursor": cursor}, headers=gest001
        ),
        400,
    )


async def test_a_gestionnaire_of_two_academies_pages_across_both(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    """One range of the index per académie, merged: the pages are those of one walk of both
    académies' rows in name order, the cursor going from one académie to the other."""
    for nom, academie in [
        ("Durand1", "001"),
        ("Durand2", "002"),
        ("Durand3", "002"),
        ("Durand4", "001"),
        ("Durand5", "003"),
        ("Durand6", "002"),
        ("Durand7", "001"),
    ]:
        await add(service, nom=nom, academie=academie)
    same = [await add(service, nom="Durand8", academie=a) for a in ("001", "002", "002")]
    # An académie named twice in the token counts once.
    both = gestionnaire(test_keys, "002", "001", "002")
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"nom": "durand", "limit": 2}
        if cursor is not None:
            params["cursor"] = cursor
        page = await search(service, both, **params)
        assert 1 <= len(page["items"]) <= 2
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [item["nom"] for item in seen] == [
        "Durand1", "Durand2", "Durand3", "Durand4", "Durand6", "Durand7",
        "Durand8", "Durand8", "Durand8",
    ]  # fmt: skip
    assert [item["academie"] for item in seen][:6] == ["001", "002", "002", "001", "002", "001"]
    # Equal names: in id order, across the académies.
    assert [item["id"] for item in seen][6:] == sorted(str(i) for i in same)
    # The same rows as the administrateur's walk of both académies' rows.
    admin = {"Authorization": f"Bearer {test_keys.token(Role.ADMINISTRATEUR)}"}
    everyone = (await search(service, admin, nom="durand"))["items"]
    assert seen == [item for item in everyone if item["academie"] in ("001", "002")]
    # Scoped to one of the two by the filter: that académie only.
    assert [
        i["nom"] for i in (await search(service, both, nom="durand", academie="002"))["items"]
    ] == ["Durand2", "Durand3", "Durand6", "Durand8", "Durand8"]


@pytest.mark.parametrize("limit", ["0", "10000", "501", "-1", "abc"])
async def test_page_size_out_of_bounds_is_422(
    service: ServiceUnderTest, gest001: dict[str, str], limit: str
) -> None:
    await problem(await service.client.get(SEARCH, params={"limit": limit}, headers=gest001), 422)


async def test_page_size_defaults_to_50_and_reaches_500(
    service: ServiceUnderTest, gest001: dict[str, str]
) -> None:
    async with service.pool.acquire() as conn:
        for i in range(60):
            await add_candidature(conn, nom=f"N{i:03}")
    assert len((await search(service, gest001))["items"]) == 50
    assert len((await search(service, gest001, limit=500))["items"]) == 60


async def test_a_gestionnaire_of_a_sees_nothing_of_b(
    service: ServiceUnderTest,
    test_keys: TestKeys,
    gest001: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    await add(service, nom="Ours", academie="001")
    secret = await add(service, nom="Secret", academie="002", handicap=True)
    page = await search(service, gest001)
    assert names(page) == ["Ours Jean"]
    assert str(secret) not in json.dumps(page)
    probes = [
        (SEARCH, {"academie": "002"}),
        (SEARCH, {"academie": "002", "nom": "secret"}),
        (EXPORT, {"academie": "002"}),
        (EXPORT, {"academie": "002", "sante": "true"}),
        (COUNTS, {"examen": "BTS", "session": "2027", "academie": "002"}),
    ]
    for path, params in probes:
        body = await problem(await service.client.get(path, params=params, headers=gest001), 403)
        assert "Secret" not in json.dumps(body)
    denials = [r for r in caplog.records if r.getMessage() == "access denied"]
    assert len(denials) == len(probes)
    # Without an académie filter: their own académies only, in every route.
    assert (await search(service, gest001, nom="secret"))["items"] == []
    export = await service.client.get(EXPORT, headers=gest001)
    assert "Secret" not in await export.text()
    counts = await (
        await service.client.get(COUNTS, params={"examen": "BTS", "session": 2027}, headers=gest001)
    ).json()
    assert counts["total"] == 1
    assert counts["academies"] == ["001"]


async def test_a_candidate_token_is_refused_on_every_route(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    token = test_keys.token(Role.CANDIDAT, account_id=uuid.uuid4())
    headers = {"Authorization": f"Bearer {token}"}
    for path, params in (
        (SEARCH, {}),
        (EXPORT, {}),
        (COUNTS, {"examen": "BTS", "session": "2027"}),
    ):
        await problem(await service.client.get(path, params=params, headers=headers), 403)
        await problem(await service.client.get(path, params=params), 401)


async def test_counts_per_dimension_and_national_totals(
    service: ServiceUnderTest, admin: dict[str, str], gest001: dict[str, str]
) -> None:
    await add(service, nom="A1", academie="001")
    await add(service, nom="A2", academie="001", specialite="MCO", statut="desinscrite")
    await add(service, nom="B1", academie="002", categorie="SCOL")
    params = {"examen": "BTS", "session": "2027"}
    mine = await (await service.client.get(COUNTS, params=params, headers=gest001)).json()
    assert mine["total"] == 2
    assert mine["par_statut"] == [
        {"code": "active", "nombre": 1},
        {"code": "withdrawn", "nombre": 1},
    ]
    assert mine["par_specialite"] == [
        {"code": "BANQUE", "nombre": 1},
        {"code": "MCO", "nombre": 1},
    ]
    national = await (await service.client.get(COUNTS, params=params, headers=admin)).json()
    assert national["total"] == 3
    assert national["academies"] is None
    assert national["par_categorie"] == [{"code": "FC", "nombre": 2}, {"code": "SCOL", "nombre": 1}]
    one = await (
        await service.client.get(COUNTS, params={**params, "academie": "002"}, headers=admin)
    ).json()
    assert one["total"] == 1


def parse_csv(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8")), delimiter=";"))


async def test_export_is_a_bom_semicolon_csv_with_health_only_when_asked(
    service: ServiceUnderTest, gest001: dict[str, str], admin: dict[str, str]
) -> None:
    await add(service, nom="Éloïse", prenoms="=HYPERLINK(1)", handicap=True)
    response = await service.client.get(EXPORT, headers=gest001)
    assert response.status == 200
    assert response.content_type == "text/csv"
    rows = parse_csv(await response.read())
    header, line = rows[0], rows[1]
    assert "handicap" not in header
    assert len(rows) == 2
    record = dict(zip(header, line, strict=True))
    assert record["nom"] == "Éloïse"
    assert record["prenoms"] == "'=HYPERLINK(1)"  # never run as a formula
    assert record["statut"] == "active"
    assert record["epreuves"] == (
        "E1 - Culture générale et expression : Inscrit (Ponctuel) | EF2 - Certif : Non Inscrit"
    )
    assert await audit_actions(service) == ["candidatures.export"]

    for headers in (gest001, admin):
        response = await service.client.get(EXPORT, params={"sante": "true"}, headers=headers)
        rows = parse_csv(await response.read())
        record = dict(zip(rows[0], rows[1], strict=True))
        assert record["handicap"] == "oui"
        assert record["amenagement"] == "non"
    assert (await audit_actions(service))[1:] == [
        "candidatures.export",
        "candidatures.sante.lecture",
    ] * 2
    async with service.pool.acquire() as conn:
        afters = await conn.fetch("SELECT after::text FROM audit_log")
    assert all("Éloïse" not in row[0] and "oui" not in row[0] for row in afters)


async def test_export_is_one_snapshot_while_candidatures_are_saved(
    service: ServiceUnderTest, gest001: dict[str, str]
) -> None:
    async with service.pool.acquire() as conn:
        for i in range(2500):
            await add_candidature(conn, nom=f"Snap{i:05}")
    response = await service.client.get(EXPORT, headers=gest001)
    assert response.status == 200
    # Once the first candidature's line arrived, the export's snapshot is taken.
    head = await response.content.readline() + await response.content.readline()

    async def save_meanwhile() -> None:
        async with service.pool.acquire() as conn:
            for i in range(50):
                await add_candidature(conn, nom=f"Zlate{i:03}")
            await conn.execute(
                "UPDATE candidatures SET statut = 'desinscrite' WHERE nom = 'Snap02499'"
            )

    await asyncio.gather(save_meanwhile())
    rows = parse_csv(head + await response.read())
    assert len(rows) == 1 + 2500
    record = dict(zip(rows[0], rows[-1], strict=True))
    assert record["nom"] == "Snap02499"
    assert record["statut"] == "active"
    assert not any(row[rows[0].index("nom")].startswith("Zlate") for row in rows)
