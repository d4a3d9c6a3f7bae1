"""What an SMTP answer means for a message, and when to try it again."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    DELIVERED = "delivered"
    DEFERRED = "deferred"  # a 4xx, a timeout, no server: tried again later
    REFUSED = "refused"  # a 5xx: failed until an administrateur re-sends it


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    smtp_code: int | None = None
    detail: str = ""
    # The connection cannot carry the next message of the batch.
    connection_lost: bool = False


def outcome_of_code(code: int) -> Outcome:
    if 200 <= code < 300:
        return Outcome.DELIVERED
    return Outcome.REFUSED if 500 <= code < 600 else Outcome.DEFERRED


def retry_delay_s(attempts: int, initial_s: float, maximum_s: float) -> float:
    """The wait after the `attempts`-th failed attempt: initial, then doubling, capped."""
    return float(min(maximum_s, initial_s * 2 ** max(0, attempts - 1)))
