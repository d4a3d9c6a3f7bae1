"""The service's clock, passed in so that "open now" is testable without waiting."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock(Clock):
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


CLOCK = web.AppKey("clock", Clock)
