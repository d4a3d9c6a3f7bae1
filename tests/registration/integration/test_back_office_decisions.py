"""The back office through HTTP (issue 12): a candidature's detail and diff, the decisions
(écarter, désinscrire after closing, aménagement), the audit log and the switches."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from shared.testing.factories import piece_status_changed, pieces_fournies
from shared.testing.helpers import publish_envelope, wait_until
from shared.testing.tokens import TestKeys
from tests.registration.conftest import ServiceUnderTest, gestionnaire, problem
from tests.registration.integration.test_candidatures import (
    CLOSING,
    OPEN,
    Candidat,
    outbox_types,
    put,
)

ADMIN_CANDIDATURES = "/api/v1/admin/candidatures"
REASON = {"reason": "Condition de formation non remplie"}


@pytest.fixture
async def candidat(service: ServiceUnderTest, test_keys: TestKeys) -> Candidat:
    service.clock.set(OPEN)
    found = Candidat(service, test_keys)
    await found.project()
    return found


async def saved(candidat: Candidat) -> str:
    """A candidature of académie 001 saved as Version 01."""
    cid = await candidat.draft()
    await candidat.fill(cid)
    response = await candidat.enregistrer(cid)
    assert response.status == 201, await response.text()
    return cid


async def call(
    service: ServiceUnderTest, headers: dict[str, str], method: str, path: str, **kwargs: Any
) -> Any:
    extra = kwargs.pop("headers", {})
    return await service.client.request(method, path, headers={**headers, **extra}, **kwargs)


async def audit_rows(service: ServiceUnderTest) -> list[tuple[str, str]]:
    async with service.pool.acquire() as conn:
        rows = await conn.fetch("SELECT action, target FROM audit_log ORDER BY id")
    return [(row[0], row[1]) for row in rows]


async def test_the_detail_shows_each_pieces_latest_status(
    candidat: Candidat, service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    cid = uuid.UUID(await saved(candidat))
    piece = uuid.uuid4()
    recue = piece_status_changed(
        piece_id=piece, candidature_id=cid, status="recue", changed_at=CLOSING
    )
    non_conforme = recue.model_copy(
        update={"status": "non_conforme", "comment": "Illisible",
                "changed_at": CLOSING + timedelta(hours=1)}
    )  # fmt: skip
    await service.publish(non_conforme, producer="uploads")
    await service.publish(recue, producer="uploads")  # older, arriving later

    async def handled() -> bool:
        async with service.pool.acquire() as conn:
            found = await conn.fetchval(
                "SELECT count(*) FROM inbox WHERE event_type = 'PieceStatusChanged'"
            )
        return int(found) == 2

    assert await wait_until(handled)
    staff = gestionnaire(test_keys, "001")
    view = await (await call(service, staff, "GET", f"{ADMIN_CANDIDATURES}/{cid}")).json()
    assert [(p["piece_id"], p["statut"], p["commentaire"]) for p in view["pieces_statuts"]] == [
        (str(piece), "non_conforme", "Illisible")
    ]


async def test_the_detail_shows_the_groups_declared_provided_the_latest_declaration_each(
    candidat: Candidat, service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    cid = uuid.UUID(await saved(candidat))
    groupe = uuid.uuid4()
    first = pieces_fournies(
        candidature_id=cid, account_id=candidat.account_id, groupe_id=groupe,
        piece_ids=[uuid.uuid4()], fournies_at=CLOSING - timedelta(days=3),
    )  # fmt: skip
    again = first.model_copy(
        update={
            "piece_ids": [uuid.uuid4(), uuid.uuid4()],
            "fournies_at": CLOSING - timedelta(days=1),
        }
    )
    unknown = pieces_fournies(account_id=candidat.account_id)  # a candidature never seen
    later = await service.publish(again, producer="uploads")
    await service.publish(first, producer="uploads")  # older, arriving later
    await publish_envelope(service.broker, later)  # redelivered
    await service.publish(unknown, producer="uploads")
    staff = gestionnaire(test_keys, "001")

    async def handled() -> bool:
        async with service.pool.acquire() as conn:
            found = await conn.fetchval(
                "SELECT count(*) FROM inbox WHERE event_type = 'PiecesFournies'"
            )
        return int(found) == 3

    assert await wait_until(handled)
    view = await (await call(service, staff, "GET", f"{ADMIN_CANDIDATURES}/{cid}")).json()
    assert view["pieces_fournies"] == [
        {
            "groupe_id": str(groupe),
            "groupe_libelle": first.groupe_libelle,
            "pieces": 2,
            "fournies_at": again.fournies_at.isoformat().replace("+00:00", "Z"),
        }
    ]


async def test_detail_shows_versions_decisions_and_the_diff(
    candidat: Candidat, service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    cid = await saved(candidat)
    assert (await put(candidat, cid, "diplome", {"diplome": "DAEU"})).status == 200
    assert (await candidat.enregistrer(cid, **{"If-Match": '"1"'})).status == 201
    staff = gestionnaire(test_keys, "001")
    response = await call(service, staff, "GET", f"{ADMIN_CANDIDATURES}/{cid}")
    assert response.status == 200, await response.text()
    view = await response.json()
    assert view["statut"] == "active"
    assert [v["version"] for v in view["versions"]] == [1, 2]
    assert all(v["saved_by"] == str(candidat.account_id) for v in view["versions"])
    assert view["versions"][0]["sante"] == {"handicap": False, "amenagement": False}
    assert view["decisions"] == []
    assert view["pieces_fournies"] == []
    assert ("candidature.read", f"candidature:{cid}") in await audit_rows(service)

    path = f"{ADMIN_CANDIDATURES}/{cid}/diff?from=1&to=2"
    diff = await (await call(service, staff, "GET", path)).json()
    assert diff["onglets"] == [{"onglet": "diplome", "champs": ["diplome"]}]
    same = await (await call(service, staff, "GET", path.replace("to=2", "to=1"))).json()
    assert same["onglets"] == []
    await problem(await call(service, staff, "GET", path.replace("to=2", "to=7")), 404)


async def test_a_gestionnaire_of_another_academie_gets_404_and_the_denial_is_logged(
    candidat: Candidat,
    service: ServiceUnderTest,
    test_keys: TestKeys,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cid = await saved(candidat)
    other = gestionnaire(test_keys, "002")
    base = f"{ADMIN_CANDIDATURES}/{cid}"
    with caplog.at_level(logging.WARNING):
        for method, path, body in [
            ("GET", base, None),
            ("GET", base + "/diff?from=1&to=1", None),
            ("POST", base + "/ecarter", REASON),
            ("POST", base + "/desinscrire", REASON),
            ("POST", base + "/amenagement", {**REASON, "mesures": ["tiers-temps"]}),
        ]:
            found = await problem(await call(service, other, method, path, json=body), 404)
            assert cid not in found.get("detail", "") or found["status"] == 404
    denials = [r for r in caplog.records if r.getMessage() == "access denied"]
    assert len(denials) == 5
    unknown = f"{ADMIN_CANDIDATURES}/{uuid.uuid4()}"
    await problem(await call(service, gestionnaire(test_keys, "001"), "GET", unknown), 404)
    assert await outbox_types(service) == ["CandidatureCreated"]


async def test_a_candidate_token_on_every_admin_route_is_403(
    candidat: Candidat, service: ServiceUnderTest
) -> None:
    cid = await saved(candidat)
    base = f"{ADMIN_CANDIDATURES}/{cid}"
    for method, path, body in [
        ("GET", base, None),
        ("GET", base + "/diff?from=1&to=1", None),
        ("POST", base + "/ecarter", REASON),
        ("POST", base + "/desinscrire", REASON),
        ("POST", base + "/amenagement", {**REASON, "mesures": []}),
        ("GET", "/api/v1/admin/audit", None),
        ("POST", "/api/v1/admin/fenetres/prolongation", {}),
        ("PUT", "/api/v1/admin/read-only", {"enabled": True}),
        ("GET", "/api/v1/admin/read-only", None),
    ]:
        await problem(await candidat.call(method, path, json=body), 403)


async def test_ecarter_publishes_candidature_rejected_and_leaves_the_list(
    candidat: Candidat, service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    cid = await saved(candidat)
    staff = gestionnaire(test_keys, "001")
    response = await call(
        service, staff, "POST", f"{ADMIN_CANDIDATURES}/{cid}/ecarter", json=REASON
    )
    assert response.status == 201, await response.text()
    assert (await response.json())["kind"] == "ecarter"
    assert await (await candidat.call("GET", "/api/v1/me/candidatures")).json() == []
    assert await outbox_types(service) == ["CandidatureCreated", "CandidatureRejected"]
    view = await (await call(service, staff, "GET", f"{ADMIN_CANDIDATURES}/{cid}")).json()
    assert view["statut"] == "ecartee"
    assert [d["reason"] for d in view["decisions"]] == [REASON["reason"]]
    # The candidate can no longer change it; a second decision is refused.
    await problem(await put(candidat, cid, "diplome", {"diplome": "DAEU"}), 409)
    again = await call(service, staff, "POST", f"{ADMIN_CANDIDATURES}/{cid}/ecarter", json=REASON)
    assert (await problem(again, 409))["type"].endswith("candidature-rejected")
    assert ("candidature.ecarter", f"candidature:{cid}") in await audit_rows(service)


async def test_a_rejected_candidature_is_found_as_rejected_not_withdrawn(
    candidat: Candidat, service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    cid = await saved(candidat)
    staff = gestionnaire(test_keys, "001")
    await call(service, staff, "POST", f"{ADMIN_CANDIDATURES}/{cid}/ecarter", json=REASON)

    async def found(statut: str) -> list[tuple[str, str]]:
        query = {"examen": "BTS", "session": "2027", "academie": "001", "statut": statut}
        page = await (await call(service, staff, "GET", ADMIN_CANDIDATURES, params=query)).json()
        return [(item["id"], item["statut"]) for item in page["items"]]

    assert await found("rejected") == [(cid, "rejected")]
    assert await found("withdrawn") == []


async def test_reasons_too_long_with_control_characters_or_missing_are_422(
    candidat: Candidat, service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    cid = await saved(candidat)
    staff = gestionnaire(test_keys, "001")
    path = f"{ADMIN_CANDIDATURES}/{cid}/ecarter"
    for body in [
        {"reason": "x" * 10_000},
        {"reason": "motif\x00caché"},
        {"reason": "motif\x1b[31m"},
        {"reason": "   "},
        {},
    ]:
        await problem(await call(service, staff, "POST", path, json=body), 422)
    amenagement = f"{ADMIN_CANDIDATURES}/{cid}/amenagement"
    bad = {**REASON, "mesures": ["tiers-temps"], "texte": "a\x07b"}
    await problem(await call(service, staff, "POST", amenagement, json=bad), 422)
    unknown = {**REASON, "mesures": ["teleportation"]}
    await problem(await call(service, staff, "POST", amenagement, json=unknown), 422)
    assert await outbox_types(service) == ["CandidatureCreated"]


async def test_the_same_decision_replayed_with_its_idempotency_key_is_one_event(
    candidat: Candidat, service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    cid = await saved(candidat)
    staff = {**gestionnaire(test_keys, "001"), "Idempotency-Key": "ecarter-1"}
    path = f"{ADMIN_CANDIDATURES}/{cid}/ecarter"
    first = await call(service, staff, "POST", path, json=REASON)
    again = await call(service, staff, "POST", path, json=REASON)
    assert first.status == again.status == 201
    assert (await first.json())["id"] == (await again.json())["id"]
    assert await outbox_types(service) == ["CandidatureCreated", "CandidatureRejected"]
    other = await call(service, staff, "POST", path, json={"reason": "autre"})
    await problem(other, 422)


async def test_a_decision_racing_a_modification_one_wins(
    candidat: Candidat, service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    staff = {**gestionnaire(test_keys, "001"), "If-Match": '"1"'}
    cid = await saved(candidat)
    assert (await put(candidat, cid, "diplome", {"diplome": "DAEU"})).status == 200
    path = f"{ADMIN_CANDIDATURES}/{cid}/ecarter"
    decision, modification = await asyncio.gather(
        call(service, staff, "POST", path, json=REASON),
        candidat.enregistrer(cid, **{"If-Match": '"1"'}),
    )
    statuses = sorted([decision.status, modification.status])
    assert statuses[0] == 201, statuses
    assert statuses[1] in (409, 412), statuses
    async with service.pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT version, ecartee_at FROM candidatures WHERE id = $1", uuid.UUID(cid)
        )
    if decision.status == 201:
        assert row["version"] == 1
        assert row["ecartee_at"] is not None
        assert await outbox_types(service) == ["CandidatureCreated", "CandidatureRejected"]
    else:
        assert row["version"] == 2
        assert row["ecartee_at"] is None
        assert await outbox_types(service) == ["CandidatureCreated", "CandidatureModified"]


async def test_desinscrire_only_after_closing_with_withdrawn_by_gestionnaire(
    candidat: Candidat, service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    cid = await saved(candidat)
    staff = gestionnaire(test_keys, "001")
    path = f"{ADMIN_CANDIDATURES}/{cid}/desinscrire"
    refused = await problem(await call(service, staff, "POST", path, json=REASON), 409)
    assert refused["type"].endswith("window-open")
    service.clock.set(CLOSING)
    response = await call(service, staff, "POST", path, json=REASON)
    assert response.status == 201, await response.text()
    async with service.pool.acquire() as conn:
        body = await conn.fetchval(
            "SELECT body FROM outbox WHERE event_type = 'CandidatureWithdrawn'"
        )
    payload = json.loads(body)["payload"]
    assert payload["withdrawn_by"] == "gestionnaire"
    assert payload["reason"] == REASON["reason"]
    assert await outbox_types(service) == ["CandidatureCreated", "CandidatureWithdrawn"]


async def test_an_amenagement_decision_is_stored_with_the_health_data_not_in_events(
    candidat: Candidat, service: ServiceUnderTest, test_keys: TestKeys, admin: dict[str, str]
) -> None:
    cid = await saved(candidat)
    staff = gestionnaire(test_keys, "001")
    body = {**REASON, "mesures": ["tiers-temps", "secretaire"], "texte": "Pauses de 10 min"}
    path = f"{ADMIN_CANDIDATURES}/{cid}/amenagement"
    response = await call(service, staff, "POST", path, json=body)
    assert response.status == 201, await response.text()
    decided = await response.json()
    assert decided["amenagement"] == {
        "mesures": ["tiers-temps", "secretaire"],
        "texte": body["texte"],
    }
    view = await (await call(service, admin, "GET", f"{ADMIN_CANDIDATURES}/{cid}")).json()
    assert view["decisions"][0]["amenagement"]["mesures"] == ["tiers-temps", "secretaire"]
    assert await outbox_types(service) == ["CandidatureCreated"]
    async with service.pool.acquire() as conn:
        logged = await conn.fetch("SELECT before, after FROM audit_log")
    assert "Pauses" not in str([dict(r) for r in logged])
    assert "tiers" not in str([dict(r) for r in logged])


# --- the audit log ------------------------------------------------------------------------------


WINDOW = {
    "examen": "BTS",
    "session": 2027,
    "academie": "002",
    "ouverture": "2027-01-10T09:00:00+01:00",
    "fermeture": "2027-01-20T17:00:00+01:00",
}


async def test_admin_actions_are_audited_and_read_with_filters_and_pages(
    service: ServiceUnderTest, admin: dict[str, str], test_keys: TestKeys
) -> None:
    response = await call(service, admin, "POST", "/api/v1/admin/fenetres", json=WINDOW)
    assert response.status == 201, await response.text()
    fenetre = (await response.json())["id"]
    moved = {"ouverture": WINDOW["ouverture"], "fermeture": "2027-01-21T17:00:00+01:00"}
    path = f"/api/v1/admin/fenetres/{fenetre}"
    assert (await call(service, admin, "PUT", path, json=moved)).status == 200
    item = {"code": "ZZZ", "libelle": "ACADEMIE TEST", "fuseau_horaire": "Europe/Paris"}
    put_item = await call(service, admin, "PUT", "/api/v1/admin/referentiel/academies", json=item)
    assert put_item.status == 200, await put_item.text()
    removed = await call(service, admin, "DELETE", "/api/v1/admin/referentiel/academies/ZZZ")
    assert removed.status == 200, await removed.text()

    page = await (await call(service, admin, "GET", "/api/v1/admin/audit?limit=2")).json()
    assert [e["action"] for e in page["items"]] == ["referentiel.remove", "referentiel.put"]
    rest = f"/api/v1/admin/audit?limit=2&after={page['next']}"
    page = await (await call(service, admin, "GET", rest)).json()
    assert [e["action"] for e in page["items"]] == ["fenetre.move", "fenetre.create"]
    assert page["items"][0]["before"]["fermeture"] == "2027-01-20T16:00:00+00:00"
    assert page["items"][0]["after"]["fermeture"] == "2027-01-21T16:00:00+00:00"
    assert page["next"] is None
    only = "/api/v1/admin/audit?action=fenetre.move&academie=002"
    assert len((await (await call(service, admin, "GET", only)).json())["items"]) == 1
    since = "/api/v1/admin/audit?from=2999-01-01T00:00:00Z"
    assert (await (await call(service, admin, "GET", since)).json())["items"] == []
    await problem(await call(service, admin, "GET", "/api/v1/admin/audit?after=abc"), 422)
    await problem(await call(service, admin, "GET", "/api/v1/admin/audit?limit=0"), 422)
    staff = gestionnaire(test_keys, "001")
    await problem(await call(service, staff, "GET", "/api/v1/admin/audit"), 403)


async def test_an_action_the_audit_cannot_record_does_not_happen(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    response = await call(service, admin, "POST", "/api/v1/admin/fenetres", json=WINDOW)
    fenetre = (await response.json())["id"]
    async with service.pool.acquire() as conn:
        await conn.execute(
            "ALTER TABLE audit_log ADD CONSTRAINT test_refuses_moves "
            "CHECK (action <> 'fenetre.move') NOT VALID"
        )
    moved = {"ouverture": WINDOW["ouverture"], "fermeture": "2027-01-25T17:00:00+01:00"}
    path = f"/api/v1/admin/fenetres/{fenetre}"
    await problem(await call(service, admin, "PUT", path, json=moved), 500)
    async with service.pool.acquire() as conn:
        fermeture = await conn.fetchval("SELECT fermeture FROM fenetres WHERE id = $1", fenetre)
        assert fermeture.isoformat() == "2027-01-20T16:00:00+00:00"
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("UPDATE audit_log SET action = 'x'")
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("DELETE FROM audit_log")


# --- deadline-day switches ----------------------------------------------------------------------


async def test_prolongation_extends_the_windows_at_once_in_ouvertures_and_saves(
    candidat: Candidat, service: ServiceUnderTest, admin: dict[str, str], test_keys: TestKeys
) -> None:
    cid = await saved(candidat)
    service.clock.set(CLOSING)
    await problem(await put(candidat, cid, "diplome", {"diplome": "DAEU"}), 409)
    before = await (await service.client.get("/api/v1/ouvertures")).json()
    body = {"examen": "BTS", "session": 2027, "academie": "001", "minutes": 120}
    staff = gestionnaire(test_keys, "001")
    path = "/api/v1/admin/fenetres/prolongation"
    await problem(await call(service, staff, "POST", path, json=body), 403)
    response = await call(service, admin, "POST", path, json=body)
    assert response.status == 200, await response.text()
    [extended] = (await response.json())["fenetres"]
    assert extended["fermeture_utc"] == "2026-11-18T18:00:00Z"
    after = await (await service.client.get("/api/v1/ouvertures")).json()
    ours = [o for o in after if (o["examen"], o["academie"]) == ("BTS", "001")]
    assert [o["fermeture_utc"] for o in ours] == ["2026-11-18T18:00:00Z"]
    assert before != after
    assert (await put(candidat, cid, "diplome", {"diplome": "DAEU"})).status == 200
    assert ("fenetre.prolonger", f"fenetre:{extended['id']}") in await audit_rows(service)

    every = {"examen": "BTS", "session": 2027, "minutes": 30}
    response = await call(service, admin, "POST", path, json=every)
    assert response.status == 200, await response.text()
    bts = {o["academie"] for o in after if o["examen"] == "BTS" and o["session"] == 2027}
    assert len((await response.json())["fenetres"]) == len(bts)
    none = {"examen": "BTS", "session": 2031, "minutes": 30}
    await problem(await call(service, admin, "POST", path, json=none), 422)
    await problem(await call(service, admin, "POST", path, json={**every, "minutes": 0}), 422)


async def test_read_only_refuses_writes_with_503_while_reads_go_on(
    candidat: Candidat, service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    cid = await candidat.draft()
    switch = "/api/v1/admin/read-only"
    on = {"enabled": True, "reason": "Bascule de base"}
    response = await call(service, admin, "PUT", switch, json=on)
    assert response.status == 200, await response.text()
    refused = await put(candidat, cid, "diplome", {"diplome": "DAEU"})
    body = await problem(refused, 503)
    assert body["type"].endswith("read-only")
    assert refused.headers["Retry-After"] == "60"
    assert (await candidat.call("GET", f"/api/v1/candidatures/{cid}")).status == 200
    assert (await service.client.get("/health/live")).status == 200
    state = await (await call(service, admin, "GET", switch)).json()
    assert state["enabled"] is True
    off = await call(service, admin, "PUT", switch, json={"enabled": False})
    assert off.status == 200
    assert (await put(candidat, cid, "diplome", {"diplome": "DAEU"})).status == 200
    actions = [a for a, _ in await audit_rows(service)]
    assert actions.count("service.read-only") == 2
