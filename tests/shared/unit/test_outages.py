"""An outage is logged once when it starts, once when it ends, and as an ERROR only when it
outlasts the threshold."""

from __future__ import annotations

import logging

import pytest

from shared.outages import PAGE_AFTER_S, Outage


def test_an_outage_ridden_out_is_one_warning_and_one_info(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    outage = Outage("thing", clock=lambda: now[0])
    caplog.set_level(logging.INFO, logger="shared.outages")
    for _ in range(10):
        outage.failed(ConnectionRefusedError())
        now[0] += 1
    outage.answered()
    outage.answered()
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "thing unreachable"),
        ("INFO", "thing reachable again"),
    ]
    assert caplog.records[1].__dict__["outage_s"] == 10


def test_an_outage_past_the_threshold_is_an_error_once(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    outage = Outage("thing", clock=lambda: now[0])
    outage.failed("refused")
    now[0] = PAGE_AFTER_S + 1
    outage.failed("refused")
    outage.failed("refused")
    assert [r.levelname for r in caplog.records] == ["WARNING", "ERROR"]
    assert outage.is_down
