"""The candidate's read of the aménagement granted (issue 12, point 3): the owner only; another
candidate gets 404, staff use the back office (403 here)."""

from __future__ import annotations

import uuid

from shared.testing.tokens import TestKeys
from tests.registration.conftest import ServiceUnderTest, gestionnaire, problem
from tests.registration.integration.test_back_office_decisions import (
    REASON,
    call,
    candidat,
    saved,
)
from tests.registration.integration.test_candidatures import Candidat

__all__ = ["candidat"]


async def test_the_candidate_reads_the_aménagement_granted_and_no_one_else_does(
    candidat: Candidat, service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    cid = await saved(candidat)
    path = f"/api/v1/candidatures/{cid}/amenagement"
    before = await candidat.call("GET", path)
    assert before.status == 200, await before.text()
    assert await before.json() == {"candidature_id": cid, "amenagement": None}

    staff = gestionnaire(test_keys, "001")
    for mesures in (["salle-a-part"], ["tiers-temps", "secretaire"]):
        granted = {**REASON, "mesures": mesures, "texte": "Pauses de 10 min"}
        admin_path = f"/api/v1/admin/candidatures/{cid}/amenagement"
        response = await call(service, staff, "POST", admin_path, json=granted)
        assert response.status == 201, await response.text()

    mine = await (await candidat.call("GET", path)).json()
    assert mine["candidature_id"] == cid
    assert mine["amenagement"]["mesures"] == ["tiers-temps", "secretaire"]
    assert mine["amenagement"]["texte"] == "Pauses de 10 min"
    assert mine["amenagement"]["reason"] == REASON["reason"]

    other = Candidat(service, test_keys)
    found = await problem(await other.call("GET", path), 404)
    assert "tiers-temps" not in str(found)
    await problem(
        await candidat.call("GET", f"/api/v1/candidatures/{uuid.uuid4()}/amenagement"), 404
    )
    await problem(await candidat.call("GET", "/api/v1/candidatures/not-a-uuid/amenagement"), 404)
    await problem(await call(service, staff, "GET", path), 403)
