"""Grand Public windows: open exactly between the boundaries, listed in local time and UTC,
managed by the gestionnaires of their académie only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from registration.handlers.fenetres import is_window_open
from registration.settings import Settings
from shared.auth import Role
from shared.testing.tokens import TestKeys
from tests.registration.conftest import Client, ServiceUnderTest, gestionnaire, problem

TICK = timedelta(microseconds=1)
# The seed's metropolitan window: 12 Oct 2026 14:00 to 18 Nov 2026 17:00, local time.
PARIS = ("001", datetime(2026, 10, 12, 12, tzinfo=UTC), datetime(2026, 11, 18, 16, tzinfo=UTC))
MARTINIQUE = ("031", datetime(2026, 10, 12, 18, tzinfo=UTC), datetime(2026, 11, 18, 21, tzinfo=UTC))
MIQUELON = ("044", datetime(2026, 10, 12, 16, tzinfo=UTC), datetime(2026, 11, 18, 20, tzinfo=UTC))
PARIS_DST_CHANGE = datetime(2026, 10, 25, 1, tzinfo=UTC)
MIQUELON_DST_CHANGE = datetime(2026, 11, 1, 4, tzinfo=UTC)


async def open_at(settings: Settings, academie: str, at: datetime) -> bool:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await is_window_open(conn, "BTS", 2027, academie, at)
    finally:
        await conn.close()


@pytest.mark.parametrize("window", [PARIS, MARTINIQUE, MIQUELON], ids=lambda w: w[0])
async def test_a_window_is_open_exactly_between_its_boundaries(
    service: ServiceUnderTest, settings: Settings, window: tuple[str, datetime, datetime]
) -> None:
    academie, opening, closing = window

    assert not await open_at(settings, academie, opening - TICK)
    assert await open_at(settings, academie, opening)
    assert await open_at(settings, academie, closing - TICK)
    assert not await open_at(settings, academie, closing)


@pytest.mark.parametrize(
    ("academie", "change"), [("001", PARIS_DST_CHANGE), ("044", MIQUELON_DST_CHANGE)]
)
async def test_a_window_stays_open_across_a_daylight_saving_change(
    service: ServiceUnderTest, settings: Settings, academie: str, change: datetime
) -> None:
    assert await open_at(settings, academie, change - TICK)
    assert await open_at(settings, academie, change)


async def listing(client: Client, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/ouvertures", params=params)
    assert response.status == 200
    body: list[dict[str, Any]] = await response.json()
    return body


async def test_the_listing_shows_local_and_utc_times_and_whether_open(
    service: ServiceUnderTest,
) -> None:
    client = service.client
    service.clock.set(PARIS_DST_CHANGE)

    (paris,) = await listing(client, domaine="BTS", session=2027, academie="001")
    (noumea,) = await listing(client, domaine="BTS", session=2027, academie="040")

    assert paris["ouverture_locale"] == "2026-10-12T14:00:00+02:00"
    assert paris["fermeture_locale"] == "2026-11-18T17:00:00+01:00"
    assert paris["ouverture_utc"] == "2026-10-12T12:00:00Z"
    assert paris["fuseau_horaire"] == "Europe/Paris"
    assert paris["ouvert"] is True
    assert noumea["ouverture_locale"] == "2027-02-15T08:00:00+11:00"
    assert noumea["ouvert"] is False


async def test_the_listing_is_closed_at_the_closing_instant(service: ServiceUnderTest) -> None:
    service.clock.set(PARIS[2])
    client = service.client
    (paris,) = await listing(client, domaine="BTS", session=2027, academie="001")
    assert paris["ouvert"] is False


async def test_a_cached_listing_still_says_open_or_closed_at_the_instant_asked(
    service: ServiceUnderTest,
) -> None:
    client = service.client
    service.clock.set(PARIS[2] - timedelta(microseconds=1))
    (before,) = await listing(client, domaine="BTS", session=2027, academie="001")

    service.clock.set(PARIS[2])
    (after,) = await listing(client, domaine="BTS", session=2027, academie="001")

    assert (before["ouvert"], after["ouvert"]) == (True, False)


async def test_the_listing_is_empty_when_no_service_matches(service: ServiceUnderTest) -> None:
    client = service.client
    assert await listing(client, domaine="BTS", session=2031) == []
    assert await listing(client, domaine="BAC") == []
    assert len(await listing(client, domaine="BTS")) >= 30


async def post_window(client: Client, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return await client.post("/api/v1/admin/fenetres", json=body, headers=headers)


def window(academie: str, opening: str, closing: str, session: int = 2027) -> dict[str, Any]:
    return {
        "examen": "BTS",
        "session": session,
        "academie": academie,
        "ouverture": opening,
        "fermeture": closing,
    }


async def add_session_2028(client: Client, admin: dict[str, str]) -> None:
    response = await client.put(
        "/api/v1/admin/referentiel/sessions",
        json={"examen": "BTS", "annee": 2028, "libelle": "Session 2028"},
        headers=admin,
    )
    assert response.status == 200, await response.text()


async def test_a_gestionnaire_creates_and_moves_a_window_of_their_academie(
    service: ServiceUnderTest, admin: dict[str, str], test_keys: TestKeys
) -> None:
    client = service.client
    await add_session_2028(client, admin)
    headers = gestionnaire(test_keys, "001")

    created = await client.post(
        "/api/v1/admin/fenetres",
        json=window("001", "2027-10-11T14:00:00+02:00", "2027-11-17T17:00:00+01:00", 2028),
        headers=headers,
    )
    assert created.status == 201, await created.text()
    fenetre = await created.json()
    moved = await client.put(
        f"/api/v1/admin/fenetres/{fenetre['id']}",
        json={"ouverture": "2027-10-04T14:00:00+02:00", "fermeture": "2027-11-17T17:00:00+01:00"},
        headers=headers,
    )

    assert moved.status == 200, await moved.text()
    assert (await moved.json())["ouverture_utc"] == "2027-10-04T12:00:00Z"


async def test_a_gestionnaire_cannot_touch_another_academies_windows(
    service: ServiceUnderTest, admin: dict[str, str], test_keys: TestKeys
) -> None:
    client = service.client
    await add_session_2028(client, admin)
    headers = gestionnaire(test_keys, "001")
    (martinique,) = await listing(client, academie="031")

    create = await client.post(
        "/api/v1/admin/fenetres",
        json=window("031", "2027-10-11T14:00:00-04:00", "2027-11-17T17:00:00-04:00", 2028),
        headers=headers,
    )
    move = await client.put(
        f"/api/v1/admin/fenetres/{martinique['id']}",
        json={"ouverture": "2026-01-01T00:00:00Z", "fermeture": "2027-01-01T00:00:00Z"},
        headers=headers,
    )

    await problem(create, 403)
    await problem(move, 403)
    assert await listing(client, academie="031") == [martinique]


async def test_candidates_and_anonymous_callers_cannot_manage_windows(
    service: ServiceUnderTest, test_keys: TestKeys
) -> None:
    client = service.client
    body = window("001", "2027-10-11T14:00:00+02:00", "2027-11-17T17:00:00+01:00")
    candidat = {"Authorization": f"Bearer {test_keys.token(Role.CANDIDAT)}"}

    await problem(await client.post("/api/v1/admin/fenetres", json=body), 401)
    await problem(await client.post("/api/v1/admin/fenetres", json=body, headers=candidat), 403)


async def test_a_window_closing_before_it_opens_is_refused(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    await add_session_2028(client, admin)
    body = window("001", "2027-11-17T17:00:00+01:00", "2027-10-11T14:00:00+02:00", 2028)

    refused = await problem(
        await client.post("/api/v1/admin/fenetres", json=body, headers=admin), 422
    )

    assert [e["field"] for e in refused["errors"]] == ["fermeture"]


async def test_an_overlapping_window_is_refused(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    body = window("001", "2026-11-18T16:00:00+01:00", "2026-12-01T00:00:00+01:00")

    refused = await problem(
        await client.post("/api/v1/admin/fenetres", json=body, headers=admin), 409
    )

    assert refused["type"].endswith("window-overlap")
    adjacent = window("001", "2026-11-18T17:00:00+01:00", "2026-12-01T00:00:00+01:00")
    response = await client.post("/api/v1/admin/fenetres", json=adjacent, headers=admin)
    assert response.status == 201, await response.text()


async def test_dates_without_a_time_zone_are_refused(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    body = window("001", "2027-10-11T14:00:00", "2027-11-17T17:00:00")

    refused = await problem(
        await client.post("/api/v1/admin/fenetres", json=body, headers=admin), 422
    )

    assert {e["field"] for e in refused["errors"]} == {"ouverture", "fermeture"}


async def test_unknown_codes_are_each_named(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    body = {**window("999", "2027-10-11T14:00:00Z", "2027-11-17T17:00:00Z"), "examen": "XYZ"}

    refused = await problem(
        await client.post("/api/v1/admin/fenetres", json=body, headers=admin), 422
    )

    assert {(e["field"], e["code"]) for e in refused["errors"]} == {
        ("examen", "unknown-code"),
        ("academie", "unknown-code"),
    }


async def test_a_bts_window_for_a_foreign_centre_is_refused(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    centre = {"code": "990", "libelle": "Centre de Rabat", "fuseau_horaire": "Africa/Casablanca"}
    added = await client.put(
        "/api/v1/admin/referentiel/academies", json={**centre, "etranger": True}, headers=admin
    )
    assert added.status == 200, await added.text()
    body = window("990", "2026-10-12T14:00:00+01:00", "2026-11-18T17:00:00+01:00")

    refused = await problem(
        await client.post("/api/v1/admin/fenetres", json=body, headers=admin), 422
    )

    assert [e["code"] for e in refused["errors"]] == ["foreign-centre"]


async def test_two_overlapping_windows_created_at_once_give_one_window(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    await add_session_2028(client, admin)
    bodies = [
        window("001", f"2027-10-{day}T14:00:00+02:00", "2027-11-17T17:00:00+01:00", 2028)
        for day in range(10, 20)
    ]

    responses = await asyncio.gather(*(post_window(client, body, admin) for body in bodies))

    assert sorted(response.status for response in responses) == [201] + [409] * 9
    assert len(await listing(client, session=2028, academie="001")) == 1


@pytest.mark.parametrize(
    ("field", "opening", "closing"),
    [
        ("fermeture", "2027-10-11T14:00:00+02:00", "9999-12-31T23:59:59Z"),
        ("ouverture", "0001-01-01T00:30:00+01:00", "2027-11-17T17:00:00+01:00"),
        ("ouverture", "1999-12-31T23:00:00Z", "2027-11-17T17:00:00+01:00"),
        ("fermeture", "2027-10-11T14:00:00+02:00", "2101-01-01T00:00:00Z"),
    ],
)
async def test_instants_outside_the_years_of_a_session_are_refused(
    service: ServiceUnderTest, admin: dict[str, str], field: str, opening: str, closing: str
) -> None:
    """Such instants overflowed when moved to UTC or to the académie's zone (a 500)."""
    client = service.client
    body = window("001", opening, closing)

    created = await problem(
        await client.post("/api/v1/admin/fenetres", json=body, headers=admin), 422
    )
    (listed,) = await listing(client, domaine="BTS", session=2027, academie="001")
    path = f"/api/v1/admin/fenetres/{listed['id']}"
    periode = {"ouverture": opening, "fermeture": closing}
    moved = await problem(await client.put(path, json=periode, headers=admin), 422)

    assert [e["field"] for e in created["errors"]] == [field]
    assert [e["field"] for e in moved["errors"]] == [field]


async def test_a_window_id_too_large_for_the_database_is_not_found(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    body = {"ouverture": "2027-10-11T14:00:00+02:00", "fermeture": "2027-11-17T17:00:00+01:00"}

    response = await client.put(f"/api/v1/admin/fenetres/{2**63}", json=body, headers=admin)

    await problem(response, 404)


async def test_a_window_created_twice_with_one_idempotency_key_is_created_once(
    service: ServiceUnderTest, admin: dict[str, str]
) -> None:
    client = service.client
    await add_session_2028(client, admin)
    body = window("001", "2027-10-11T14:00:00+02:00", "2027-11-17T17:00:00+01:00", 2028)
    headers = {**admin, "Idempotency-Key": "fenetre-2028-001"}

    first = await post_window(client, body, headers)
    again = await post_window(client, body, headers)
    other = await post_window(client, {**body, "academie": "002"}, headers)

    assert first.status == again.status == 201, await again.text()
    assert await again.json() == await first.json()
    await problem(other, 422)
    assert len(await listing(client, session=2028)) == 1


@pytest.mark.parametrize("instant", ["1000000000", 1000000000, 1.5e9, "  -86400 "])
async def test_a_number_is_not_an_instant(
    service: ServiceUnderTest, admin: dict[str, str], instant: Any
) -> None:
    """pydantic read numbers (and strings of digits) as seconds since 1970."""
    client = service.client
    body = {**window("001", "2027-10-11T14:00:00+02:00", "2027-11-17T17:00:00+01:00")}
    body["ouverture"] = instant
    (listed,) = await listing(client, domaine="BTS", session=2027, academie="001")
    periode = {"ouverture": instant, "fermeture": "2027-11-17T17:00:00+01:00"}

    created = await problem(
        await client.post("/api/v1/admin/fenetres", json=body, headers=admin), 422
    )
    moved = await problem(
        await client.put(f"/api/v1/admin/fenetres/{listed['id']}", json=periode, headers=admin),
        422,
    )

    assert [e["field"] for e in created["errors"]] == ["ouverture"]
    assert [e["field"] for e in moved["errors"]] == ["ouverture"]
