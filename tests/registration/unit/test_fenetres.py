"""Window rules without I/O: open iff ouverture <= t < fermeture, in UTC, local at the edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from registration.domain.fenetres import (
    LocalTimeError,
    Periode,
    is_open,
    local_to_utc,
    overlaps,
    to_local,
    utc_offset,
)

TICK = timedelta(microseconds=1)


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def paris_window() -> Periode:
    """12 Oct 14:00 to 18 Nov 17:00, Paris time: summer time ends on 25 Oct in between."""
    return Periode(
        local_to_utc(datetime(2026, 10, 12, 14), "Europe/Paris"),
        local_to_utc(datetime(2026, 11, 18, 17), "Europe/Paris"),
    )


def test_a_window_is_open_from_its_opening_instant_included() -> None:
    window = paris_window()
    assert not is_open(window, window.ouverture - TICK)
    assert is_open(window, window.ouverture)


def test_a_window_is_closed_from_its_closing_instant_on() -> None:
    window = paris_window()
    assert is_open(window, window.fermeture - TICK)
    assert not is_open(window, window.fermeture)


def test_paris_local_times_keep_their_wall_clock_across_the_autumn_change() -> None:
    window = paris_window()
    assert window.ouverture == utc(2026, 10, 12, 12)  # UTC+2, summer time
    assert window.fermeture == utc(2026, 11, 18, 16)  # UTC+1, winter time
    assert to_local(window.fermeture, "Europe/Paris").hour == 17


def test_paris_window_is_open_on_both_sides_of_the_change() -> None:
    window = paris_window()
    change = utc(2026, 10, 25, 1)  # 03:00 summer time becomes 02:00 winter time
    assert is_open(window, change - TICK)
    assert is_open(window, change)
    assert utc_offset(change - TICK, "Europe/Paris") == timedelta(hours=2)
    assert utc_offset(change, "Europe/Paris") == timedelta(hours=1)


def test_martinique_has_no_daylight_saving_so_its_offset_stays() -> None:
    zone = "America/Martinique"
    opening = local_to_utc(datetime(2026, 10, 12, 14), zone)
    closing = local_to_utc(datetime(2026, 11, 18, 17), zone)
    assert (opening, closing) == (utc(2026, 10, 12, 18), utc(2026, 11, 18, 21))


def test_saint_pierre_et_miquelon_changes_on_the_american_date() -> None:
    zone = "America/Miquelon"
    window = Periode(
        local_to_utc(datetime(2026, 10, 12, 14), zone),  # UTC-2
        local_to_utc(datetime(2026, 11, 18, 17), zone),  # UTC-3 after 1 Nov
    )
    assert window.ouverture == utc(2026, 10, 12, 16)
    assert window.fermeture == utc(2026, 11, 18, 20)
    change = utc(2026, 11, 1, 4)
    assert utc_offset(change - TICK, zone) == timedelta(hours=-2)
    assert utc_offset(change, zone) == timedelta(hours=-3)
    assert is_open(window, change)


def test_a_local_time_skipped_in_spring_is_refused() -> None:
    with pytest.raises(LocalTimeError):
        local_to_utc(datetime(2027, 3, 28, 2, 30), "Europe/Paris")


def test_a_local_time_repeated_in_autumn_is_refused() -> None:
    with pytest.raises(LocalTimeError):
        local_to_utc(datetime(2026, 10, 25, 2, 30), "Europe/Paris")


def test_instants_without_a_time_zone_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        Periode(datetime(2026, 10, 12, 14), utc(2026, 11, 18))
    with pytest.raises(ValueError, match="time zone"):
        is_open(paris_window(), datetime(2026, 10, 20))


def test_windows_meeting_at_an_instant_do_not_overlap() -> None:
    first = Periode(utc(2026, 10, 1), utc(2026, 10, 10))
    assert not overlaps(first, Periode(utc(2026, 10, 10), utc(2026, 10, 20)))
    assert overlaps(first, Periode(utc(2026, 10, 10) - TICK, utc(2026, 10, 20)))
    assert overlaps(first, Periode(utc(2026, 10, 2), utc(2026, 10, 3)))
