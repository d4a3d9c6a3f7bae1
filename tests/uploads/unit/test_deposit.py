"""The deposit rules, statuses, time zones and display names: pure functions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from uploads.domain.academies import PARIS, zone_name
from uploads.domain.deposit import check_deposit, is_locked
from uploads.domain.errors import CandidatureClosed, DeadlinePassed, PieceLocked, StatusRefused
from uploads.domain.names import MAX_CHARS, display_name
from uploads.domain.statuses import Status, check_status, unlocks

LIMIT = datetime(2027, 1, 15, 22, 59, 59, tzinfo=UTC)


def deposit(**overrides: object) -> None:
    values: dict[str, object] = {
        "candidature_id": uuid.uuid4(),
        "closed_at": None,
        "active": True,
        "validated_at": None,
        "status": None,
        "date_limite": LIMIT,
        "now": LIMIT - timedelta(seconds=1),
    }
    check_deposit(**{**values, **overrides})  # type: ignore[arg-type]


def test_a_deposit_is_open_until_the_date_limite_included() -> None:
    deposit()
    deposit(now=LIMIT)
    with pytest.raises(DeadlinePassed):
        deposit(now=LIMIT + timedelta(seconds=1))


def test_a_declared_received_or_conforme_piece_is_locked() -> None:
    with pytest.raises(PieceLocked):
        deposit(validated_at=LIMIT)
    with pytest.raises(PieceLocked):
        deposit(status="conforme")
    with pytest.raises(PieceLocked):
        deposit(status="recue")
    deposit(status="non_conforme")
    assert not is_locked(None, "non_conforme")


def test_a_closed_candidature_or_a_retired_piece_takes_no_file() -> None:
    with pytest.raises(CandidatureClosed):
        deposit(closed_at=LIMIT)
    with pytest.raises(PieceLocked):
        deposit(active=False)


def test_statuses() -> None:
    check_status(Status.RECUE, has_file=False, comment=None)
    with pytest.raises(StatusRefused):
        check_status(Status.CONFORME, has_file=False, comment=None)
    with pytest.raises(StatusRefused):
        check_status(Status.NON_CONFORME, has_file=True, comment="  ")
    check_status(Status.NON_CONFORME, has_file=True, comment="Illisible")
    assert unlocks(Status.NON_CONFORME)
    assert not unlocks(Status.CONFORME)


def test_time_zones() -> None:
    assert zone_name("BES", "Europe/Paris") == PARIS
    assert zone_name("031", None) == "America/Martinique"
    assert zone_name("031", "Not/AZone") == "America/Martinique"
    assert zone_name("040", "Pacific/Noumea") == "Pacific/Noumea"
    assert zone_name("XYZ", "") == PARIS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\scan.pdf", "scan.pdf"),
        ("carte\x00.pdf", "carte.pdf"),
        ("a\r\nSet-Cookie: x.pdf", "a Set-Cookie: x.pdf"),
        ("facture\u202egpj.exe", "facturegpj.exe"),
        ("..", "fichier.pdf"),
        ("", "fichier.pdf"),
        (None, "fichier.pdf"),
        ("  .hidden.pdf", "hidden.pdf"),
        ("😀😀😀", "😀😀😀"),
        ("Relevé de notes.pdf", "Relevé de notes.pdf"),
    ],
)
def test_display_names_are_sanitised(raw: str | None, expected: str) -> None:
    assert display_name(raw, "application/pdf") == expected


def test_a_long_name_is_shortened_keeping_its_extension() -> None:
    name = display_name("x" * 300 + ".pdf", "application/pdf")
    assert len(name) == MAX_CHARS
    assert name.endswith("x.pdf")
