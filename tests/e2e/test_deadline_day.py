"""Deadline day, the short version: candidates arriving through the guide's journey while
RabbitMQ stops, PostgreSQL restarts, the SMTP and S3 servers go down and two service processes
are killed; afterwards the ledger must balance exactly (benchmarks/deadline_day.py, which
prints the figures; the long version is that benchmark with `--faults long`).

It restarts the local servers: it runs where TEST_RABBITMQCTL and TEST_PG_RESTART are set
(CI sets both)."""

from __future__ import annotations

import os

import pytest

from benchmarks.deadline_day import deadline_day, parser

RABBITMQCTL = os.environ.get("TEST_RABBITMQCTL")
PG_RESTART = os.environ.get("TEST_PG_RESTART")


@pytest.mark.skipif(
    not (RABBITMQCTL and PG_RESTART), reason="needs TEST_RABBITMQCTL and TEST_PG_RESTART"
)
async def test_every_candidature_document_and_email_is_accounted_for_after_the_faults(
    postgres_server_dsn: str, amqp_server_url: str
) -> None:
    arguments = parser().parse_args(
        [
            "--candidates", "60", "--rate", "1.5", "--concurrency", "16",
            "--faults", "short", "--outage", "5", "--drain", "240",
            "--postgres", postgres_server_dsn, "--amqp", amqp_server_url,
            "--rabbitmqctl", RABBITMQCTL or "", "--pg-restart", PG_RESTART or "",
        ]
    )  # fmt: skip

    assert await deadline_day(arguments), "the ledger does not balance: see the printed figures"
