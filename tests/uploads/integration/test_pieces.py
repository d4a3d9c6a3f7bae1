"""Candidature events become the pièces to provide (rules as data); Mes justificatifs shows
them by group, dates limites in the académie's time and in UTC; another candidate's is a 404."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from shared.events.catalogue import Academie, AcquisDeclare
from shared.testing import factories
from shared.testing.helpers import wait_until
from shared.testing.service import ServiceUnderTest
from shared.testing.tokens import TestKeys
from tests.uploads.integration.helpers import (
    administrateur,
    candidat,
    computed,
    dossier,
    gestionnaire,
    pieces_of,
)


def full_recap() -> object:
    return factories.recapitulatif(
        categorie_code="EP",
        diplome_possede="BACCALAURÉAT PROFESSIONNEL",
        amenagement=True,
        acquis=[
            AcquisDeclare(type="BENEFICE", annee=2024, academie="BES", epreuve="E1", note="12"),
            AcquisDeclare(type="DISPENSE", annee=2020, academie="BES", epreuve="E3"),
        ],
    )


async def test_a_created_candidature_gets_its_pieces(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    created = factories.candidature_created(recapitulatif=full_recap())
    await service.publish(created)
    rows = await computed(service, created.candidature.candidature_id, 6)
    assert sorted((r["code"], r["ref"]) for r in rows) == [
        ("CERTIFICATS_TRAVAIL", ""),
        ("CERTIFICAT_MEDICAL", ""),
        ("DIPLOME_ACCES", ""),
        ("DIPLOME_DISPENSE", "E3"),
        ("IDENTITE", ""),
        ("RELEVE_BENEFICE", "E1 - Culture générale et expression"),
    ]


async def test_a_modification_adds_and_retires_pieces_keeping_files(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    created = factories.candidature_created(recapitulatif=full_recap())
    ref = created.candidature
    await service.publish(created)
    await computed(service, ref.candidature_id, 6)
    modified = factories.candidature_modified(
        candidature=ref, recapitulatif=factories.recapitulatif(diplome_possede="DAEU")
    )
    await service.publish(modified)

    async def retired() -> bool:
        rows = await pieces_of(service.pool, ref.candidature_id)
        return sum(bool(r["active"]) for r in rows) == 2

    assert await wait_until(retired)
    rows = await pieces_of(service.pool, ref.candidature_id)
    assert len(rows) == 6  # nothing deleted
    assert {r["code"] for r in rows if r["active"]} == {"IDENTITE", "DIPLOME_ACCES"}

    # An older version delivered late changes nothing.
    late = factories.candidature_created(candidature=ref, recapitulatif=full_recap())
    await service.publish(late)
    await service.publish(factories.candidature_withdrawn(candidature=ref))

    async def closed() -> bool:
        found = await service.pool.fetchval(
            "SELECT closed_at FROM candidatures WHERE candidature_id = $1", ref.candidature_id
        )
        return found is not None

    assert await wait_until(closed)
    rows = await pieces_of(service.pool, ref.candidature_id)
    assert sum(r["active"] for r in rows) == 2
    view = await (
        await service.client.get(
            f"/api/v1/me/candidatures/{ref.candidature_id}/pieces",
            headers=candidat(test_keys, ref.account_id),
        )
    ).json()
    assert view["closed"] is True


async def test_mes_justificatifs_shows_groups_with_dates_limites(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    overseas = factories.candidature_ref(
        academie=Academie(code="031", libelle="Martinique", fuseau_horaire="America/Martinique")
    )
    closes_at = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)
    created = factories.candidature_created(
        candidature=overseas, closes_at=closes_at, recapitulatif=full_recap()
    )
    await service.publish(created)
    await computed(service, overseas.candidature_id, 6)

    response = await service.client.get(
        f"/api/v1/me/candidatures/{overseas.candidature_id}/pieces",
        headers=candidat(test_keys, overseas.account_id),
    )
    assert response.status == 200
    view = await response.json()
    (groupe,) = view["groupes"]
    assert groupe["date_limite"] == "2027-01-16T12:00:00Z"  # 15 days after closing
    assert groupe["date_limite_locale"] == "2027-01-16T08:00:00-04:00"
    assert groupe["fuseau_horaire"] == "America/Martinique"
    assert groupe["depot_ouvert"] is True
    piece = groupe["pieces"][0]
    assert piece["formats"] == ["application/pdf", "image/jpeg", "image/png"]
    assert piece["max_bytes"] == 10 * 1024 * 1024
    assert (piece["status"], piece["files"], piece["locked"]) == (None, [], False)


async def test_a_gestionnaire_sets_a_date_limite_in_paris_time(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    found = await dossier(service, test_keys)
    response = await service.client.put(
        "/api/v1/admin/groupes",
        json={
            "examen": "BTS",
            "session": 2027,
            "academie": "BES",
            "groupe": "PIECES",
            "date_limite": "2027-03-31T23:59:59+02:00",
        },
        headers=gestionnaire(test_keys, "BES"),
    )
    assert response.status == 200, await response.text()
    assert (await response.json())["date_limite_locale"] == "2027-03-31T23:59:59+02:00"
    (groupe,) = (await found.pieces())["groupes"]
    assert groupe["date_limite"] == "2027-03-31T21:59:59Z"
    assert groupe["date_limite_locale"] == "2027-03-31T23:59:59+02:00"

    other = await service.client.put(
        "/api/v1/admin/groupes",
        json={
            "examen": "BTS",
            "session": 2027,
            "academie": "BES",
            "groupe": "PIECES",
            "date_limite": "2027-03-31T23:59:59+02:00",
        },
        headers=gestionnaire(test_keys, "LIL"),
    )
    assert other.status == 403


async def test_another_candidates_pieces_are_a_404(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    found = await dossier(service, test_keys)
    response = await service.client.get(
        found.url + "/pieces", headers=candidat(test_keys, uuid.uuid4())
    )
    assert response.status == 404
    response = await service.client.get(
        f"/api/v1/me/candidatures/{uuid.uuid4()}/pieces", headers=found.headers
    )
    assert response.status == 404


async def test_rules_are_data_an_administrateur_changes(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    admin = administrateur(test_keys)
    listed = await service.client.get("/api/v1/admin/piece-rules?examen=BTS", headers=admin)
    assert listed.status == 200
    rules = await listed.json()
    assert {r["code"] for r in rules} >= {"IDENTITE", "CERTIFICAT_MEDICAL"}

    added = await service.client.post(
        "/api/v1/admin/piece-rules",
        json={
            "examen": "BTS",
            "code": "JDC",
            "libelle": "Certificat de la Journée défense et citoyenneté",
            "condition": "toujours",
            "groupe": "PIECES",
            "groupe_libelle": "Pièces justificatives",
            "formats": ["application/pdf"],
            "max_bytes": 2000000,
        },
        headers=admin,
    )
    assert added.status == 201, await added.text()
    identite = next(r for r in rules if r["code"] == "IDENTITE")
    changed = await service.client.patch(
        f"/api/v1/admin/piece-rules/{identite['id']}", json={"max_bytes": 3000000}, headers=admin
    )
    assert (await changed.json())["max_bytes"] == 3000000

    created = factories.candidature_created()
    await service.publish(created)
    rows = await computed(service, created.candidature.candidature_id, 2)
    assert {r["code"]: r["max_bytes"] for r in rows} == {"IDENTITE": 3000000, "JDC": 2000000}

    refused = await service.client.get(
        "/api/v1/admin/piece-rules", headers=gestionnaire(test_keys, "BES")
    )
    assert refused.status == 403


async def test_a_gestionnaire_asks_for_one_more_piece_that_the_rules_keep(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    found = await dossier(service, test_keys)
    url = f"/api/v1/admin/candidatures/{found.ref.candidature_id}/pieces"
    response = await service.client.post(
        url,
        json={"libelle": "Attestation de formation", "date_limite": "2027-02-01T18:00:00+01:00"},
        headers=gestionnaire(test_keys, "BES"),
    )
    assert response.status == 201, await response.text()
    assert (await response.json())["libelle"] == "Attestation de formation"
    view = await found.pieces()
    assert len(view["groupes"]) == 2
    demande = next(g for g in view["groupes"] if g["code"].startswith("DEMANDE-"))
    assert demande["date_limite"] == "2027-02-01T17:00:00Z"
    assert [p["libelle"] for p in demande["pieces"]] == ["Attestation de formation"]

    # A modification recomputes the rules' pièces only.
    await service.publish(factories.candidature_modified(candidature=found.ref))

    async def handled() -> bool:
        return bool(await service.pool.fetchval("SELECT count(*) >= 2 FROM inbox"))

    assert await wait_until(handled)
    rows = await pieces_of(service.pool, found.ref.candidature_id)
    assert {r["code"] for r in rows if r["active"]} == {"IDENTITE", "DEMANDE"}

    other = await service.client.post(
        url, json={"libelle": "X"}, headers=gestionnaire(test_keys, "LIL")
    )
    assert other.status == 403
