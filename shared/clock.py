"""The one clock every service's handlers read: a parameter, so that deadlines, link lifetimes
and window openings are testable without waiting (tests use `shared.testing.clock.FakeClock`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
