"""Outages of the servers a process depends on, reported once each.

Every loop that meets an unreachable database or broker reports it here, often many times a
second; the process logs one WARNING when the outage starts, one INFO when it ends (with its
duration), and an ERROR only if it outlasts `PAGE_AFTER_S`: an outage the platform rides out
needs no person. The gauge `dependency_down` shows it while it lasts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from shared.metrics import DEPENDENCY_DOWN

log = logging.getLogger(__name__)

# Past this, an outage is no longer a blip the platform rides out: someone should look.
PAGE_AFTER_S = 120.0


class Outage:
    def __init__(self, dependency: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.dependency = dependency
        self._clock = clock
        self._since: float | None = None
        self._paged = False
        DEPENDENCY_DOWN.labels(dependency).set(0)

    @property
    def is_down(self) -> bool:
        return self._since is not None

    @property
    def duration_s(self) -> float:
        return 0.0 if self._since is None else self._clock() - self._since

    def failed(self, error: BaseException | str) -> None:
        """The dependency could not be reached (again)."""
        if self._since is None:
            self._since = self._clock()
            self._paged = False
            DEPENDENCY_DOWN.labels(self.dependency).set(1)
            log.warning(
                f"{self.dependency} unreachable",
                extra={"dependency": self.dependency, "error": _describe(error)},
            )
        elif not self._paged and self.duration_s > PAGE_AFTER_S:
            self._paged = True
            log.error(
                f"{self.dependency} unreachable for more than {PAGE_AFTER_S:.0f} s",
                extra={"dependency": self.dependency, "error": _describe(error)},
            )

    def answered(self) -> None:
        """The dependency answered: ends the outage if there was one."""
        if self._since is None:
            return
        duration = self.duration_s
        self._since = None
        DEPENDENCY_DOWN.labels(self.dependency).set(0)
        log.info(
            f"{self.dependency} reachable again",
            extra={"dependency": self.dependency, "outage_s": round(duration, 3)},
        )


def _describe(error: BaseException | str) -> str:
    return error if isinstance(error, str) else repr(error)[:300]


# One per process: every loop of the process reports on the same server.
DATABASE = Outage("database")
BROKER = Outage("broker")
