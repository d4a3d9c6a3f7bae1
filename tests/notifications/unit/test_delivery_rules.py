from __future__ import annotations

import pytest

from notifications.domain.delivery import Outcome, outcome_of_code, retry_delay_s
from notifications.handlers.delivery import Pacer


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        (250, Outcome.DELIVERED),
        (421, Outcome.DEFERRED),
        (450, Outcome.DEFERRED),
        (452, Outcome.DEFERRED),
        (550, Outcome.REFUSED),
        (554, Outcome.REFUSED),
    ],
)
def test_a_4xx_is_tried_again_and_a_5xx_is_final(code: int, outcome: Outcome) -> None:
    assert outcome_of_code(code) is outcome


def test_retry_delays_double_up_to_the_maximum() -> None:
    delays = [retry_delay_s(attempts, 30, 600) for attempts in range(1, 8)]
    assert delays == [30, 60, 120, 240, 480, 600, 600]


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_pacer_spaces_sends_at_the_configured_rate() -> None:
    clock = FakeClock()
    pacer = Pacer(4, clock=clock)

    waits = [pacer.reserve() for _ in range(3)]
    clock.now += 2.0
    after_a_pause = pacer.reserve()

    assert waits == [0.0, 0.25, 0.5]
    assert after_a_pause == 0.0


def test_a_pacer_at_zero_does_not_limit() -> None:
    assert Pacer(0).interval == 0.0
