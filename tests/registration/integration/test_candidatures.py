"""The candidature end to end through HTTP: M'inscrire, the tabs, Enregistrer, Mes inscriptions,
Modifier, Se désinscrire, with the window decided at the FakeClock's instant."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from registration.adapters import identites_sql
from registration.domain.numeros import numero_candidat_is_valid, numero_inscription_is_valid
from shared.auth import Role
from shared.testing.factories import (
    account_activated,
    account_email_changed,
    account_identity_changed,
    account_registered,
    identite,
    identite_json,
    random_email,
)
from shared.testing.helpers import wait_until
from shared.testing.tokens import TestKeys
from tests.registration.conftest import ServiceUnderTest, problem

# The seed's window of académie 001: 2026-10-12 14:00 to 2026-11-18 17:00, Europe/Paris.
OPEN = datetime(2026, 11, 2, 9, tzinfo=UTC)
CLOSING = datetime(2026, 11, 18, 16, tzinfo=UTC)  # 17:00 in Paris (UTC+1)
DRAFT = {"examen": "BTS", "session": 2027, "academie": "001"}

INFORMATIONS = {
    "categorie": "FC",
    "etablissement": "INDIV-001",
    "handicap": False,
    "amenagement": False,
    "consentement_presse": True,
    "consentement_organismes_prives": False,
    "consentement_collectivites": True,
}
QUALIFICATION = {"specialite": "BANQUE", "forme": "globale"}
EPREUVES = {"options": {"E2": "Anglais", "EF1": "Allemand"}, "facultatives": ["EF1", "EF3"]}
TABS: dict[str, dict[str, Any]] = {
    "identification": {},
    "informations-candidature": INFORMATIONS,
    "qualification": QUALIFICATION,
    "acquis": {"acquis": []},
    "diplome": {"diplome": "BAC-GEN"},
    "epreuves": EPREUVES,
}

# The guide's récapitulatif (5.7): individual catégorie, Bac général, BANQUE, LV1 Anglais, LV2
# Allemand and Engagement étudiant as facultatives — the same lines in the same order.
GUIDE_OBLIGATOIRES = [
    ("E1 - Culture générale et expression", "Inscrit", "Ponctuel"),
    ("E2 - Langue vivante 1 - Anglais", "Inscrit", "Ponctuel"),
    ("E2-A - Langue vivante 1 : Écrite - Anglais", "Inscrit", "Ponctuel"),
    ("E2-B - Langue vivante 1 : Orale - Anglais", "Inscrit", "Ponctuel"),
    ("E3 - Gestion de la relation client", "Inscrit", "Ponctuel"),
    ("E4 - Dévelop.suivi.activ.commercia.", "Inscrit", None),
    ("E4-A - Étude de cas", "Inscrit", "Ponctuel"),
    ("E4-B - Analyse situation commerciale", "Inscrit", "Ponctuel"),
    ("E5 - Env.éco.jur.orga.activ.bancai.", "Inscrit", "Ponctuel"),
    ("C-ANGL - Certification en langue anglaise", "Inscrit", "Ponctuel"),
]
GUIDE_FACULTATIVES = [
    ("EF1 - Langue vivante 2 - Allemand", "Inscrit", "Ponctuel"),
    ("EF2 - Certification professionnelle", "Non Inscrit", None),
    ("EF3 - Engagement étudiant", "Inscrit", "Ponctuel"),
]


class Candidat:
    def __init__(self, service: ServiceUnderTest, test_keys: TestKeys) -> None:
        self.service = service
        self.keys = test_keys
        self.account_id = uuid.uuid4()
        token = test_keys.token(Role.CANDIDAT, account_id=self.account_id)
        self.headers = {"Authorization": f"Bearer {token}"}

    async def project(self, *, activated: bool = True, **identity: Any) -> None:
        """The identity as the accounts events would have projected it."""
        async with self.service.pool.acquire() as conn:
            at = datetime(2026, 9, 1, tzinfo=UTC)
            await identites_sql.set_identite(conn, self.account_id, identite_json(**identity), at)
            await identites_sql.set_email(conn, self.account_id, random_email(), at)
            if activated:
                await identites_sql.set_activated(conn, self.account_id, at)

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.service.client.request(method, path, headers=headers, **kwargs)

    async def draft(self) -> str:
        response = await self.call("POST", "/api/v1/candidatures", json=DRAFT)
        assert response.status == 201, await response.text()
        body: dict[str, Any] = await response.json()
        return str(body["id"])

    async def fill(self, candidature_id: str, **overrides: dict[str, Any]) -> None:
        for onglet, data in {**TABS, **overrides}.items():
            response = await self.call(
                "PUT", f"/api/v1/candidatures/{candidature_id}/onglets/{onglet}", json=data
            )
            assert response.status == 200, (onglet, await response.text())

    async def enregistrer(self, candidature_id: str, **headers: str) -> Any:
        return await self.call(
            "POST", f"/api/v1/candidatures/{candidature_id}/enregistrer", headers=headers
        )


@pytest.fixture
async def candidat(service: ServiceUnderTest, test_keys: TestKeys) -> Candidat:
    service.clock.set(OPEN)
    found = Candidat(service, test_keys)
    await found.project()
    return found


async def outbox_types(service: ServiceUnderTest) -> list[str]:
    async with service.pool.acquire() as conn:
        rows = await conn.fetch("SELECT event_type FROM outbox ORDER BY id")
    return [row[0] for row in rows]


async def test_the_guides_candidature_from_draft_to_numero_inscription(
    candidat: Candidat, service: ServiceUnderTest
) -> None:
    candidature_id = await candidat.draft()
    view = await (await candidat.call("GET", f"/api/v1/candidatures/{candidature_id}")).json()
    assert view["statut"] == "brouillon"
    assert view["prochain_onglet"] == "informations-candidature"
    assert not view["enregistrable"]

    await candidat.fill(candidature_id)
    view = await (await candidat.call("GET", f"/api/v1/candidatures/{candidature_id}")).json()
    assert view["prochain_onglet"] == "recapitulatif"
    assert view["enregistrable"]

    recap = await (
        await candidat.call("GET", f"/api/v1/candidatures/{candidature_id}/onglets/recapitulatif")
    ).json()
    lines = recap["recapitulatif"]["epreuves"]
    table = {
        part: [(e["intitule"], e["position"], e["mode"]) for e in lines if e["section"] == part]
        for part in ("obligatoire", "facultative")
    }
    assert table["obligatoire"] == GUIDE_OBLIGATOIRES
    assert table["facultative"] == GUIDE_FACULTATIVES
    assert recap["recapitulatif"]["diplome_possede"] == "BACCALAURÉAT GÉNÉRAL - Bac général"
    assert recap["service_gestionnaire"]["email"].endswith(".exemple.fr")

    response = await candidat.enregistrer(candidature_id, **{"Idempotency-Key": "save-1"})
    assert response.status == 201, await response.text()
    saved = await response.json()
    assert saved["version"] == 1
    assert numero_candidat_is_valid(saved["numero_candidat"])
    assert numero_inscription_is_valid(saved["numero_inscription"])
    assert saved["numero_inscription"].startswith("BTS27-001-")
    assert saved["fermeture"]["fermeture_locale"] == "2026-11-18T17:00:00+01:00"
    assert saved["fermeture"]["fermeture_utc"] == "2026-11-18T16:00:00Z"
    assert saved["documents"]
    assert saved["service_gestionnaire"] is not None

    again = await candidat.enregistrer(candidature_id, **{"Idempotency-Key": "save-1"})
    assert again.status == 201
    assert await again.json() == saved
    assert await outbox_types(service) == ["CandidatureCreated"]

    mine = await (await candidat.call("GET", "/api/v1/me/candidatures")).json()
    assert [(c["id"], c["version"]) for c in mine] == [(candidature_id, 1)]
    view = await (await candidat.call("GET", f"/api/v1/candidatures/{candidature_id}")).json()
    assert view["statut"] == "active"
    assert [v["version"] for v in view["versions"]] == [1]
    assert view["recapitulatif"]["epreuves"] == lines


async def test_a_diplome_that_dispenses_an_epreuve_marks_it_dispense(
    candidat: Candidat,
) -> None:
    """The référentiel says a BTS held dispenses E1 of BANQUE: the table shows E1 "Dispense"
    without a mode; every other line is the guide's."""
    candidature_id = await candidat.draft()
    await candidat.fill(candidature_id, diplome={"diplome": "BTS"})
    recap = await (
        await candidat.call("GET", f"/api/v1/candidatures/{candidature_id}/onglets/recapitulatif")
    ).json()
    lines = [
        (e["intitule"], e["position"], e["mode"])
        for e in recap["recapitulatif"]["epreuves"]
        if e["section"] == "obligatoire"
    ]
    assert lines == [
        ("E1 - Culture générale et expression", "Dispense", None),
        *GUIDE_OBLIGATOIRES[1:],
    ]
    assert recap["recapitulatif"]["diplome_possede"] == "BREVET DE TECHNICIEN SUPÉRIEUR - BTS"
    assert recap["problemes"] == []
    diplomes = await (await candidat.call("GET", "/api/v1/diplomes")).json()
    bts = next(d for d in diplomes if d["code"] == "BTS")
    assert "BTS/BANQUE/E1" in bts["dispenses"]


async def test_the_created_event_carries_the_recapitulatif_and_only_health_booleans(
    candidat: Candidat, service: ServiceUnderTest
) -> None:
    candidature_id = await candidat.draft()
    informations = {**INFORMATIONS, "handicap": True, "amenagement": True}
    await candidat.fill(candidature_id, **{"informations-candidature": informations})
    saved = await (await candidat.enregistrer(candidature_id)).json()
    async with service.pool.acquire() as conn:
        body = await conn.fetchval("SELECT body FROM outbox")
        stored = await conn.fetchval("SELECT saisie FROM candidatures")
    candidature = json.loads(body)["payload"]
    assert candidature["candidature"]["numero_inscription"] == saved["numero_inscription"]
    assert candidature["candidature"]["service_gestionnaire"] is not None
    assert candidature["closes_at"].startswith("2026-11-18T16:00:00")
    assert candidature["recapitulatif"]["handicap"] is True
    assert candidature["recapitulatif"]["amenagement"] is True
    assert "handicap" not in stored["informations-candidature"]


async def test_one_second_before_closing_saves_and_at_the_closing_instant_refuses(
    candidat: Candidat, service: ServiceUnderTest
) -> None:
    first = await candidat.draft()
    await candidat.fill(first)
    service.clock.set(CLOSING - timedelta(seconds=1))
    response = await candidat.enregistrer(first)
    assert response.status == 201, await response.text()

    other = Candidat(service, candidat.keys)
    await other.project()
    service.clock.set(OPEN)
    second = await other.draft()
    await other.fill(second)
    service.clock.set(CLOSING)
    body = await problem(await other.enregistrer(second), 409)
    assert body["type"].endswith("window-closed")
    assert "2026-11-18T17:00:00+01:00" in body["detail"]
    body = await problem(await other.call("POST", "/api/v1/candidatures", json=DRAFT), 409)
    assert body["type"].endswith("window-closed")


async def test_m_inscrire_refusals(candidat: Candidat, service: ServiceUnderTest) -> None:
    candidature_id = await candidat.draft()
    body = await problem(await candidat.call("POST", "/api/v1/candidatures", json=DRAFT), 409)
    assert body["type"].endswith("candidature-exists")
    assert candidature_id in body["detail"]

    stranger = Candidat(service, candidat.keys)
    await stranger.project()
    await problem(await stranger.call("GET", f"/api/v1/candidatures/{candidature_id}"), 404)
    await problem(
        await stranger.call(
            "PUT",
            f"/api/v1/candidatures/{candidature_id}/onglets/diplome",
            json={"diplome": "DAEU"},
        ),
        404,
    )

    pending = Candidat(service, candidat.keys)
    await pending.project(activated=False)
    body = await problem(await pending.call("POST", "/api/v1/candidatures", json=DRAFT), 403)
    assert body["type"].endswith("account-not-activated")
    nobody = Candidat(service, candidat.keys)
    body = await problem(await nobody.call("POST", "/api/v1/candidatures", json=DRAFT), 409)
    assert body["type"].endswith("identity-missing")

    service.clock.set(datetime(2026, 9, 1, tzinfo=UTC))
    late = Candidat(service, candidat.keys)
    await late.project()
    body = await problem(await late.call("POST", "/api/v1/candidatures", json=DRAFT), 409)
    assert body["type"].endswith("window-closed")
    assert "2026-10-12T14:00:00+02:00" in body["detail"]


async def put(candidat: Candidat, candidature_id: str, onglet: str, data: Any) -> Any:
    return await candidat.call(
        "PUT", f"/api/v1/candidatures/{candidature_id}/onglets/{onglet}", json=data
    )


async def fields(response: Any) -> set[str]:
    body = await problem(response, 422)
    return {e["field"] for e in body["errors"]}


async def test_each_tab_answers_422_with_every_wrong_field(candidat: Candidat) -> None:
    cid = await candidat.draft()
    wrong = {
        **INFORMATIONS,
        "categorie": "ED",
        "etablissement": "INDIV-002",
        "amenagement": True,
    }
    assert await fields(await put(candidat, cid, "informations-candidature", wrong)) == {
        "etablissement",
        "amenagement",
    }
    wrong = {**INFORMATIONS, "categorie": "ED"}  # INDIVIDUELS 001 takes no distance learner
    assert await fields(await put(candidat, cid, "informations-candidature", wrong)) == {
        "etablissement"
    }
    cned = {**INFORMATIONS, "categorie": "ED", "etablissement": "CNED"}
    assert (await put(candidat, cid, "informations-candidature", cned)).status == 200
    shc = {**INFORMATIONS, "categorie": "SHC"}
    assert (await put(candidat, cid, "informations-candidature", shc)).status == 200
    progressive = {"specialite": "NOPE", "forme": "progressive"}
    assert await fields(await put(candidat, cid, "qualification", progressive)) == {
        "specialite",
        "forme",
    }
    assert (await put(candidat, cid, "qualification", QUALIFICATION)).status == 200

    too_many = {
        "options": {"E2": "Anglais", "EF1": "Anglais"},
        "facultatives": ["EF1", "EF2", "EF3"],
    }
    assert await fields(await put(candidat, cid, "epreuves", too_many)) == {
        "facultatives",
        "options.EF1",
    }
    unknown = {"options": {"E9": "Anglais"}, "facultatives": ["E1"]}
    assert await fields(await put(candidat, cid, "epreuves", unknown)) == {
        "options.E9",
        "options.E2",
        "facultatives.E1",
    }
    acquis = {
        "acquis": [
            {"type": "BENEFICE", "annee": 2025, "academie": "001", "epreuve": "E3", "note": 9},
            {"type": "BENEFICE", "annee": 2021, "academie": "001", "epreuve": "E1", "note": 12},
            {"type": "BENEFICE", "annee": 2025, "academie": "001", "epreuve": "E4", "note": 15},
            {"type": "DISPENSE", "annee": 2025, "academie": "001", "epreuve": "ZZ"},
        ]
    }
    assert await fields(await put(candidat, cid, "acquis", acquis)) == {
        "acquis[0].note",
        "acquis[1].annee",
        "acquis[2].epreuve",
        "acquis[3].epreuve",
    }
    assert await fields(await put(candidat, cid, "diplome", {"diplome": "NOPE"})) == {"diplome"}
    body = await problem(await put(candidat, cid, "diplome", {"diplome": 3}), 422)
    assert body["errors"]


async def test_an_acquis_changes_the_position(candidat: Candidat) -> None:
    cid = await candidat.draft()
    acquis = {
        "acquis": [
            {"type": "BENEFICE", "annee": 2024, "academie": "001", "epreuve": "E3", "note": 12},
            {"type": "DISPENSE", "annee": 2024, "academie": "001", "epreuve": "E1"},
            {
                "type": "BENEFICE",
                "annee": 2024,
                "academie": "001",
                "epreuve": "E5",
                "note": 14,
                "utilise": False,
            },
        ]
    }
    await candidat.fill(cid, acquis=acquis)
    recap = await (
        await candidat.call("GET", f"/api/v1/candidatures/{cid}/onglets/recapitulatif")
    ).json()
    positions = {e["code"]: (e["position"], e["mode"]) for e in recap["recapitulatif"]["epreuves"]}
    assert positions["E3"] == ("Bénéfice", None)
    assert positions["E1"] == ("Dispense", None)
    assert positions["E5"] == ("Inscrit", "Ponctuel")


async def test_modifier_makes_version_2_and_the_loser_gets_412(
    candidat: Candidat, service: ServiceUnderTest
) -> None:
    cid = await candidat.draft()
    await candidat.fill(cid)
    first = await (await candidat.enregistrer(cid)).json()
    await problem(await candidat.enregistrer(cid), 412)
    body = await problem(await put(candidat, cid, "identification", {}), 409)
    assert body["type"].endswith("identity-locked")
    assert (await put(candidat, cid, "diplome", {"diplome": "DAEU"})).status == 200

    results = await asyncio.gather(
        *(candidat.enregistrer(cid, **{"If-Match": '"1"'}) for _ in range(50))
    )
    statuses = sorted(r.status for r in results)
    assert statuses == [201] + [412] * 49
    view = await (await candidat.call("GET", f"/api/v1/candidatures/{cid}")).json()
    assert [v["version"] for v in view["versions"]] == [1, 2]
    assert view["numero_inscription"] == first["numero_inscription"]
    assert view["recapitulatif"]["diplome_possede"].startswith("DIPLÔME D'ACCÈS")
    old = await (await candidat.call("GET", f"/api/v1/candidatures/{cid}/versions/1")).json()
    assert old["recapitulatif"]["diplome_possede"] == "BACCALAURÉAT GÉNÉRAL - Bac général"
    assert await outbox_types(service) == ["CandidatureCreated", "CandidatureModified"]


async def test_concurrent_enregistrer_of_one_draft_give_one_candidature(
    candidat: Candidat, service: ServiceUnderTest
) -> None:
    cid = await candidat.draft()
    await candidat.fill(cid)
    results = await asyncio.gather(*(candidat.enregistrer(cid) for _ in range(20)))
    assert sorted(r.status for r in results) == [201] + [412] * 19
    assert await outbox_types(service) == ["CandidatureCreated"]


async def test_the_withdrawal_goes_to_the_candidates_current_email(
    candidat: Candidat, service: ServiceUnderTest
) -> None:
    cid = await candidat.draft()
    await candidat.fill(cid)
    assert (await candidat.enregistrer(cid)).status == 201
    async with service.pool.acquire() as conn:
        saved_with = await conn.fetchval("SELECT email FROM identites")
    changed = account_email_changed(
        account_id=candidat.account_id, old_email=saved_with, new_email=random_email("nouvelle")
    )
    await service.publish(changed, "accounts")

    async def projected() -> bool:
        email = await service.pool.fetchval("SELECT email FROM identites")
        return bool(email == changed.new_email)

    assert await wait_until(projected)
    response = await candidat.call(
        "POST", f"/api/v1/candidatures/{cid}/desinscrire", json={"confirmation": True}
    )
    assert response.status == 200, await response.text()
    async with service.pool.acquire() as conn:
        rows = await conn.fetch("SELECT event_type, body FROM outbox ORDER BY id")
    events = {row["event_type"]: json.loads(row["body"])["payload"] for row in rows}
    assert events["CandidatureCreated"]["candidature"]["email"] == saved_with
    assert events["CandidatureWithdrawn"]["candidature"]["email"] == changed.new_email
    assert (
        events["CandidatureWithdrawn"]["candidature"]["numero_inscription"]
        == (events["CandidatureCreated"]["candidature"]["numero_inscription"])
    )


async def test_se_desinscrire_then_register_again_with_a_new_numero(
    candidat: Candidat, service: ServiceUnderTest
) -> None:
    cid = await candidat.draft()
    await candidat.fill(cid)
    first = await (await candidat.enregistrer(cid)).json()
    path = f"/api/v1/candidatures/{cid}/desinscrire"
    await problem(await candidat.call("POST", path, json={"confirmation": False}), 422)
    response = await candidat.call("POST", path, json={"confirmation": True})
    assert response.status == 200, await response.text()
    assert (await response.json())["statut"] == "desinscrite"
    assert await (await candidat.call("GET", "/api/v1/me/candidatures")).json() == []
    assert await outbox_types(service) == ["CandidatureCreated", "CandidatureWithdrawn"]

    again = await candidat.draft()
    await candidat.fill(again)
    second = await (await candidat.enregistrer(again)).json()
    assert second["numero_candidat"] == first["numero_candidat"]
    assert second["numero_inscription"] != first["numero_inscription"]

    service.clock.set(CLOSING)
    body = await problem(
        await candidat.call(
            "POST", f"/api/v1/candidatures/{again}/desinscrire", json={"confirmation": True}
        ),
        409,
    )
    assert body["type"].endswith("window-closed")
    service.clock.set(CLOSING - timedelta(seconds=1))
    assert len(await (await candidat.call("GET", "/api/v1/me/candidatures")).json()) == 1
    service.clock.set(CLOSING)
    assert await (await candidat.call("GET", "/api/v1/me/candidatures")).json() == []


async def test_through_the_accounts_events_and_a_correction_shows_in_the_next_version(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    service.clock.set(OPEN)
    candidat = Candidat(service, test_keys)
    registered = account_registered(account_id=candidat.account_id)
    await service.publish(registered, producer="accounts")

    async def projected() -> bool:
        response = await candidat.call("POST", "/api/v1/candidatures", json=DRAFT)
        return bool(response.status != 409)  # identity-missing until the event is handled

    assert await wait_until(projected)
    body = await problem(await candidat.call("POST", "/api/v1/candidatures", json=DRAFT), 403)
    assert body["type"].endswith("account-not-activated")

    activated = account_activated(account_id=candidat.account_id, email=registered.email)
    await service.publish(activated, producer="accounts")

    async def active() -> bool:
        response = await candidat.call("POST", "/api/v1/candidatures", json=DRAFT)
        return bool(response.status == 201)

    assert await wait_until(active)
    assert await (await candidat.call("GET", "/api/v1/me/candidatures")).json() == []  # a draft
    mine = await candidat.call("POST", "/api/v1/candidatures", json=DRAFT)
    cid = (await problem(mine, 409))["detail"].rsplit(" ", 1)[-1]
    await candidat.fill(cid)
    assert (await candidat.enregistrer(cid)).status == 201

    corrected = identite(nom_naissance="Martin")
    await service.publish(
        account_identity_changed(account_id=candidat.account_id, identite=corrected),
        producer="accounts",
    )

    async def changed() -> bool:
        response = await candidat.call("GET", "/api/v1/identite")
        return bool((await response.json())["identite"]["nom_naissance"] == "Martin")

    assert await wait_until(changed)
    view = await (await candidat.call("GET", f"/api/v1/candidatures/{cid}")).json()
    assert view["recapitulatif"]["identite"]["nom_naissance"] != "Martin"
    saved = await candidat.enregistrer(cid, **{"If-Match": '"1"'})
    assert saved.status == 201, await saved.text()
    view = await (await candidat.call("GET", f"/api/v1/candidatures/{cid}")).json()
    assert view["recapitulatif"]["identite"]["nom_naissance"] == "Martin"
    first = await (await candidat.call("GET", f"/api/v1/candidatures/{cid}/versions/1")).json()
    assert first["recapitulatif"]["identite"]["nom_naissance"] != "Martin"


async def test_a_draft_closes_with_its_window_and_withdraws_silently(
    candidat: Candidat, service: ServiceUnderTest
) -> None:
    cid = await candidat.draft()
    await problem(await candidat.call("GET", "/api/v1/candidatures/not-a-uuid"), 404)
    await problem(await candidat.call("GET", f"/api/v1/candidatures/{cid}/versions/1"), 404)
    service.clock.set(CLOSING)
    body = await problem(await put(candidat, cid, "diplome", {"diplome": "DAEU"}), 409)
    assert body["type"].endswith("window-closed")
    service.clock.set(CLOSING - timedelta(seconds=1))
    assert (await put(candidat, cid, "diplome", {"diplome": "DAEU"})).status == 200
    path = f"/api/v1/candidatures/{cid}/desinscrire"
    response = await candidat.call("POST", path, json={"confirmation": True})
    assert response.status == 200, await response.text()
    body = await problem(await put(candidat, cid, "diplome", {"diplome": "DAEU"}), 409)
    assert body["type"].endswith("candidature-withdrawn")
    assert await outbox_types(service) == []
    assert (await candidat.call("POST", "/api/v1/candidatures", json=DRAFT)).status == 201


async def test_m_inscrire_replayed_with_its_idempotency_key(candidat: Candidat) -> None:
    key = {"Idempotency-Key": "m-inscrire-1"}
    first = await candidat.call("POST", "/api/v1/candidatures", json=DRAFT, headers=key)
    again = await candidat.call("POST", "/api/v1/candidatures", json=DRAFT, headers=key)
    assert first.status == again.status == 201
    assert (await first.json())["id"] == (await again.json())["id"]
    other = {**DRAFT, "academie": "002"}
    await problem(await candidat.call("POST", "/api/v1/candidatures", json=other, headers=key), 422)
