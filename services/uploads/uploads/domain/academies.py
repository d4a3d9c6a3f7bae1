"""Each académie's time zone: dates limites are shown in it (and in UTC). The candidature
events carry the zone; this table is the fallback for one they do not name (or name wrongly):
Paris for the metropolitan académies, the local zone overseas."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PARIS = "Europe/Paris"
OVERSEAS: dict[str, str] = {
    "028": "Indian/Reunion",
    "031": "America/Martinique",
    "032": "America/Guadeloupe",
    "033": "America/Cayenne",
    "040": "Pacific/Noumea",
    "041": "Pacific/Tahiti",
    "042": "Pacific/Wallis",
    "043": "Indian/Mayotte",
    "044": "America/Miquelon",
}


def zone_name(academie: str, given: str | None = None) -> str:
    """The zone the event gave when it is a real one, else the table's, else Paris."""
    for candidate in (given, OVERSEAS.get(academie)):
        if candidate and _exists(candidate):
            return candidate
    return PARIS


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(zone_name("", name))


def _exists(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
