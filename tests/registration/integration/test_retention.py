"""Retention (issue 12, point 8) against the real database, its clock a FakeClock: before the
retention ends nothing changes; after, the personal data are gone, the counts are the same,
one CandidaturesPurged per session + académie is in the outbox, and a second run does nothing.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from registration.app import RETENTION_LOCK_KEY
from registration.deps import DEPS
from registration.handlers import retention
from registration.settings import Settings
from shared.testing.tokens import TestKeys
from tests.registration.conftest import ServiceUnderTest, gestionnaire
from tests.registration.integration.test_back_office_decisions import REASON, call
from tests.registration.integration.test_back_office_search import add
from tests.registration.integration.test_candidatures import INFORMATIONS, OPEN, Candidat

ADMIN_CANDIDATURES = "/api/v1/admin/candidatures"
COUNTS = ADMIN_CANDIDATURES + "/counts"


@pytest.fixture
async def candidat(service: ServiceUnderTest, test_keys: TestKeys) -> Candidat:
    service.clock.set(OPEN)
    found = Candidat(service, test_keys)
    await found.project()
    return found


async def run_job(service: ServiceUnderTest, settings: Settings) -> int:
    """One turn of the periodic job, as `shared.service.periodic_job` runs it."""
    job = retention.job(
        service.app[DEPS],
        retention_days=settings.retention_days,
        batch_size=settings.retention_batch_size,
        max_batches=settings.retention_max_batches,
    )
    async with service.pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", RETENTION_LOCK_KEY)
        return await job(conn)


async def session_end(service: ServiceUnderTest) -> datetime:
    async with service.pool.acquire() as conn:
        end: datetime = await conn.fetchval(
            "SELECT max(fermeture) FROM fenetres WHERE examen_code = 'BTS' AND session_annee = 2027"
        )
    return end


async def purged_events(service: ServiceUnderTest) -> list[dict[str, Any]]:
    async with service.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT body FROM outbox WHERE event_type = 'CandidaturesPurged' ORDER BY id"
        )
    return [json.loads(row["body"])["payload"] for row in rows]


async def counts(service: ServiceUnderTest, admin: dict[str, str]) -> Any:
    params = {"examen": "BTS", "session": "2027"}
    response = await service.client.get(COUNTS, params=params, headers=admin)
    assert response.status == 200, await response.text()
    return await response.json()


async def personal_data(service: ServiceUnderTest, ids: list[uuid.UUID]) -> dict[str, Any]:
    async with service.pool.acquire() as conn:
        return {
            "named": await conn.fetchval(
                "SELECT count(*) FROM candidatures WHERE id = ANY($1) AND nom IS NOT NULL", ids
            ),
            "saisie": await conn.fetchval(
                "SELECT count(*) FROM candidatures WHERE id = ANY($1) AND saisie <> '{}'", ids
            ),
            "identites_in_snapshots": await conn.fetchval(
                """SELECT count(*) FROM candidature_versions WHERE candidature_id = ANY($1)
                   AND (snapshot -> 'recapitulatif' ? 'identite'
                        OR snapshot -> 'candidature' ? 'nom')""",
                ids,
            ),
            "sante": await conn.fetchval(
                "SELECT count(*) FROM candidature_sante WHERE candidature_id = ANY($1)", ids
            ),
            "amenagements": await conn.fetchval(
                "SELECT count(*) FROM candidature_amenagements WHERE candidature_id = ANY($1)",
                ids,
            ),
        }


async def test_candidatures_are_anonymised_once_the_retention_has_run_out(
    candidat: Candidat,
    service: ServiceUnderTest,
    settings: Settings,
    test_keys: TestKeys,
    admin: dict[str, str],
) -> None:
    # A candidature saved through HTTP with health answers and an aménagement granted, a draft
    # of another candidate, and saved candidatures of two académies written in SQL.
    cid = uuid.UUID(await saved_after_fill(candidat))
    staff = gestionnaire(test_keys, "001")
    granted = {**REASON, "mesures": ["tiers-temps"], "texte": "Pauses de 10 min"}
    response = await call(
        service, staff, "POST", f"{ADMIN_CANDIDATURES}/{cid}/amenagement", json=granted
    )
    assert response.status == 201, await response.text()
    other = Candidat(service, test_keys)
    await other.project()
    draft = uuid.UUID(await other.draft())
    in_sql = [
        await add(service, nom="Dupont", academie="001"),
        await add(service, nom="Durand", academie="002", statut="desinscrite", handicap=True),
    ]
    saved_ids = [cid, *in_sql]
    before = await counts(service, admin)
    assert before["total"] == 3
    audit_before = await audit_count(service)

    end = await session_end(service)
    retention_ends = end + timedelta(days=settings.retention_days)

    # One second before the retention ends: nothing changes.
    service.clock.set(retention_ends - timedelta(seconds=1))
    assert await run_job(service, settings) == 0
    assert await personal_data(service, saved_ids) == {
        "named": 3,
        "saisie": 1,
        "identites_in_snapshots": 3,
        "sante": 4,  # the working copy and Version 01 of the one saved through HTTP
        "amenagements": 1,
    }
    assert await purged_events(service) == []

    # At its end: personal data gone, drafts deleted, counts unchanged, one event per académie.
    service.clock.set(retention_ends)
    await run_job(service, settings)
    assert await audit_count(service) == audit_before  # audit rows are kept
    assert await personal_data(service, saved_ids) == {
        "named": 0,
        "saisie": 0,
        "identites_in_snapshots": 0,
        "sante": 0,
        "amenagements": 0,
    }
    async with service.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM candidatures WHERE id = $1", draft) == 0
        kept = await conn.fetch(
            """SELECT account_id, numero_inscription, statut, specialite_code, categorie_code,
                      etablissement_code FROM candidatures WHERE id = ANY($1)""",
            saved_ids,
        )
        assert all(row["numero_inscription"] for row in kept)
        assert candidat.account_id not in {row["account_id"] for row in kept}
        assert {row["specialite_code"] for row in kept} == {"BANQUE"}
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM numeros_candidat WHERE account_id = $1", candidat.account_id
            )
            == 0
        )
        reasons = await conn.fetch(
            "SELECT reason FROM candidature_decisions WHERE candidature_id = $1", cid
        )
        assert [row["reason"] for row in reasons] == ["(anonymisé)"]
    assert await counts(service, admin) == before
    events = await purged_events(service)
    assert sorted((e["academie"], len(e["candidature_ids"])) for e in events) == [
        ("001", 3),
        ("002", 1),
    ]
    ids_001 = next(e for e in events if e["academie"] == "001")["candidature_ids"]
    assert {uuid.UUID(i) for i in ids_001} == {cid, in_sql[0], draft}
    assert all((e["examen"], e["session"]) == ("BTS", 2027) for e in events)

    # The back office still reads it (numbers and codes), a decision on it is refused, and the
    # candidate no longer finds it.
    detail = await call(service, admin, "GET", f"{ADMIN_CANDIDATURES}/{cid}")
    assert detail.status == 200, await detail.text()
    view = await detail.json()
    assert view["numero_inscription"]
    assert [v["recapitulatif"] for v in view["versions"]] == [None]
    assert view["sante"] is None
    export = await call(
        service, admin, "GET", f"{ADMIN_CANDIDATURES}/export.csv?sante=true&examen=BTS"
    )
    assert export.status == 200, await export.text()
    text = (await export.read()).decode("utf-8-sig")
    assert "Dupont" not in text
    assert "Durand" not in text
    assert len(text.strip().splitlines()) == 4  # the header and the three saved candidatures
    refused = await call(service, staff, "POST", f"{ADMIN_CANDIDATURES}/{cid}/ecarter", json=REASON)
    assert refused.status == 409, await refused.text()
    mine = await candidat.call("GET", "/api/v1/me/candidatures")
    assert mine.status == 200
    assert await mine.json() == []
    assert (await candidat.call("GET", f"/api/v1/candidatures/{cid}")).status == 404

    # A second run does nothing.
    service.clock.advance(timedelta(days=1))
    assert await run_job(service, settings) == 0
    assert len(await purged_events(service)) == 2


async def test_a_candidature_is_kept_until_its_retention_ends(
    service: ServiceUnderTest, settings: Settings
) -> None:
    await add(service, nom="Martin", academie="001")
    service.clock.set((await session_end(service)) + timedelta(days=settings.retention_days - 1))
    assert await run_job(service, settings) == 0
    assert await purged_events(service) == []


async def saved_after_fill(candidat: Candidat) -> str:
    """A candidature of académie 001 saved as Version 01, with health answers."""
    cid = await candidat.draft()
    await candidat.fill(
        cid,
        **{"informations-candidature": {**INFORMATIONS, "handicap": True, "amenagement": True}},
    )
    response = await candidat.enregistrer(cid)
    assert response.status == 201, await response.text()
    return cid


async def audit_count(service: ServiceUnderTest) -> int:
    async with service.pool.acquire() as conn:
        count: int = await conn.fetchval("SELECT count(*) FROM audit_log")
    return count
