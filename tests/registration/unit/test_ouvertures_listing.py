"""The cached listing of windows answers what serialising `Ouverture.of(row, now)` would, at
every instant, with `ouvert` computed at the instant asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

import pytest
from pydantic import TypeAdapter

from registration.entrypoints.http.ouvertures import Listing
from registration.entrypoints.schemas import Ouverture

TICK = timedelta(microseconds=1)
PARIS = (datetime(2026, 10, 12, 12, tzinfo=UTC), datetime(2026, 11, 18, 16, tzinfo=UTC))
# Two windows of one académie, the second opening when the first closes (half-open).
RUNS = [
    (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 20, tzinfo=UTC)),
    (datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 11, 2, 10, 30, tzinfo=UTC)),
]


def row(ident: int, academie: str, zone: str, periode: tuple[datetime, datetime]) -> Any:
    return {
        "id": ident,
        "examen_code": "BTS",
        "examen_libelle": 'Brevet de technicien supérieur "ouvert":false',
        "session_annee": 2027,
        "academie_code": academie,
        "academie_libelle": f"Académie {academie}",
        "fuseau_horaire": zone,
        "ouverture": periode[0],
        "fermeture": periode[1],
    }


ROWS = [
    row(1, "001", "Europe/Paris", PARIS),
    row(2, "040", "Pacific/Noumea", RUNS[0]),
    row(3, "040", "Pacific/Noumea", RUNS[1]),
]
EXPECTED: TypeAdapter[list[Ouverture]] = TypeAdapter(list[Ouverture])


def expected(rows: list[Any], now: datetime) -> bytes:
    return EXPECTED.dump_json([Ouverture.of(r, now) for r in rows])


def boundaries() -> list[datetime]:
    instants = [PARIS[0], PARIS[1], *RUNS[0], *RUNS[1]]
    return sorted({i + d for i in instants for d in (-TICK, timedelta(0), TICK)})


def test_ouvert_flips_exactly_at_the_opening_and_closing_instants() -> None:
    listing = Listing(cast(Any, ROWS))
    for now in boundaries():
        assert listing.body(now) == expected(ROWS, now), now


def test_the_clock_may_go_back_and_be_in_any_zone() -> None:
    listing = Listing(cast(Any, ROWS))
    martinique = timezone(timedelta(hours=-4))
    for now in reversed(boundaries()):
        local = now.astimezone(martinique)
        assert listing.body(local) == expected(ROWS, now), now
        assert listing.body(now) == expected(ROWS, now), now


def test_an_empty_listing_is_an_empty_list() -> None:
    assert Listing([]).body(PARIS[0]) == b"[]"


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        Listing(cast(Any, ROWS)).body(datetime(2026, 10, 12, 12))
