"""Grand Public registration windows (domain.md §2.2): open iff ouverture <= t < fermeture.

Instants are UTC-aware datetimes; local times exist only at the edges, in the académie's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


class LocalTimeError(ValueError):
    """A local time that names no instant, or two, in its zone."""


@dataclass(frozen=True)
class Periode:
    ouverture: datetime
    fermeture: datetime

    def __post_init__(self) -> None:
        for instant in (self.ouverture, self.fermeture):
            require_aware(instant)


def require_aware(instant: datetime) -> None:
    """`astimezone` would read a naive datetime in the server's zone: refuse it instead."""
    if instant.tzinfo is None:
        raise ValueError("an instant needs a time zone")


def is_open(periode: Periode, at: datetime) -> bool:
    require_aware(at)
    return periode.ouverture <= at < periode.fermeture


def overlaps(a: Periode, b: Periode) -> bool:
    """Half-open periods: one closing at the instant the other opens do not overlap."""
    return a.ouverture < b.fermeture and b.ouverture < a.fermeture


def closes_after_opening(periode: Periode) -> bool:
    return periode.ouverture < periode.fermeture


@lru_cache(maxsize=128)
def time_zone(name: str) -> ZoneInfo:
    """ZoneInfo keeps only the last 8 zones: the 13 of the académies would be read from disk."""
    return ZoneInfo(name)


def to_local(instant: datetime, zone: str) -> datetime:
    require_aware(instant)
    return instant.astimezone(time_zone(zone))


def to_utc(instant: datetime) -> datetime:
    require_aware(instant)
    return instant.astimezone(UTC)


def local_to_utc(local: datetime, zone: str) -> datetime:
    """The instant a wall-clock time names in `zone`; refuses times skipped or repeated by a
    daylight-saving change, rather than guessing which one the gestionnaire meant."""
    if local.tzinfo is not None:
        raise ValueError("a local time has no time zone of its own")
    tz = time_zone(zone)
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        raise LocalTimeError(f"{local.isoformat()} is skipped or repeated in {zone}")
    return first.astimezone(UTC)


def utc_offset(instant: datetime, zone: str) -> timedelta:
    offset = to_local(instant, zone).utcoffset()
    assert offset is not None
    return offset
