"""The hot public reads are answered from the read cache (serialised once), yet say whether a
window is open at the clock's instant, and show a change made through the service at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from registration.settings import Settings
from tests.registration.conftest import Client, ServiceUnderTest

TICK = timedelta(microseconds=1)
# The seed's metropolitan window: 12 Oct 2026 14:00 to 18 Nov 2026 17:00, Paris time.
OPENING, CLOSING = datetime(2026, 10, 12, 12, tzinfo=UTC), datetime(2026, 11, 18, 16, tzinfo=UTC)
BANQUE = "/api/v1/examens/BTS/sessions/2027/specialites/BANQUE"


@pytest.fixture
def settings(service_settings: dict[str, Any]) -> Settings:
    """A cache that does not expire during a test: what a read shows comes from it."""
    return Settings(**{**service_settings, "public_cache_ttl_s": 600})


async def get_json(client: Client, path: str, **params: Any) -> Any:
    response = await client.get(path, params=params)
    assert response.status == 200, await response.text()
    return await response.json()


async def paris(client: Client) -> dict[str, Any]:
    (window,) = await get_json(client, "/api/v1/ouvertures", academie="001", domaine="BTS")
    national = await get_json(client, "/api/v1/ouvertures", domaine="BTS", session=2027)
    assert [w for w in national if w["academie"] == "001"] == [window]
    result: dict[str, Any] = window
    return result


async def change_behind_the_service(settings: Settings, sql: str) -> None:
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def test_ouvert_flips_at_the_instants_while_the_listing_comes_from_the_cache(
    service: ServiceUnderTest, settings: Settings
) -> None:
    client, clock = service.client, service.clock
    clock.set(OPENING - timedelta(days=1))
    cached = await paris(client)
    # Not through the service: the cache is not cleared, so reads below show what it holds.
    await change_behind_the_service(
        settings, "UPDATE fenetres SET fermeture = fermeture + interval '1 day'"
    )

    seen = []
    for at in (OPENING - TICK, OPENING, CLOSING - TICK, CLOSING, OPENING):
        clock.set(at)
        window = await paris(client)
        assert window == {**cached, "ouvert": window["ouvert"]}
        seen.append(window["ouvert"])

    assert seen == [False, True, True, False, True]
    assert cached["fermeture_utc"] == "2026-11-18T16:00:00Z"


async def test_a_window_moved_through_the_service_is_listed_at_once(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client, clock = service.client, service.clock
    clock.set(OPENING)
    before = await paris(client)
    assert before["ouvert"] is True

    moved = await client.put(
        f"/api/v1/admin/fenetres/{before['id']}",
        json={"ouverture": "2026-10-13T14:00:00+02:00", "fermeture": "2026-11-18T17:00:00+01:00"},
        headers=admin,
    )
    assert moved.status == 200, await moved.text()

    after = await paris(client)
    assert (after["ouverture_utc"], after["ouvert"]) == ("2026-10-13T12:00:00Z", False)
    clock.set(OPENING + timedelta(days=1))
    assert (await paris(client))["ouvert"] is True


async def test_a_specialite_and_an_etablissement_changed_through_the_service_are_read_at_once(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    banque = await get_json(client, BANQUE)
    etablissements = await get_json(client, "/api/v1/etablissements", academie="001")

    renamed = await client.put(
        "/api/v1/admin/referentiel/specialites",
        json={"examen": "BTS", "session": 2027, "code": "BANQUE", "libelle": "Banque renommée"},
        headers=admin,
    )
    added = await client.put(
        "/api/v1/admin/referentiel/etablissements",
        json={"code": "LYCEE-001", "libelle": "Lycée", "academie": "001", "categories": ["EP"]},
        headers=admin,
    )
    assert (renamed.status, added.status) == (200, 200), await renamed.text()

    assert await get_json(client, BANQUE) == {**banque, "libelle": "Banque renommée"}
    listed = await get_json(client, "/api/v1/etablissements", academie="001")
    assert [e["code"] for e in listed if e not in etablissements] == ["LYCEE-001"]


async def test_a_change_behind_the_service_is_not_read_before_the_cache_expires(
    service: ServiceUnderTest, settings: Settings
) -> None:
    """What the tests above rely on: these reads do come from the cache."""
    client = service.client
    banque = await get_json(client, BANQUE)

    await change_behind_the_service(
        settings, "UPDATE specialites SET libelle = 'Autre' WHERE code = 'BANQUE'"
    )

    assert await get_json(client, BANQUE) == banque
