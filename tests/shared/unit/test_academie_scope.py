"""The académie check: a gestionnaire within their académies, an administrateur everywhere."""

from __future__ import annotations

import logging
import uuid

import pytest

from shared.auth import Principal, Role, ensure_academie
from shared.http.problems import ProblemError


def principal(role: Role, *academies: str) -> Principal:
    return Principal(account_id=uuid.uuid4(), role=role, academies=frozenset(academies))


def test_a_gestionnaire_acts_within_their_academie() -> None:
    ensure_academie(principal(Role.GESTIONNAIRE, "PARIS"), "PARIS")


def test_a_gestionnaire_outside_their_academies_is_refused_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gestionnaire = principal(Role.GESTIONNAIRE, "PARIS", "VERSAILLES")
    with (
        caplog.at_level(logging.WARNING, logger="shared.auth"),
        pytest.raises(ProblemError) as refused,
    ):
        ensure_academie(gestionnaire, "CRETEIL")
    assert refused.value.status == 403
    assert refused.value.slug == "forbidden"
    [record] = caplog.records
    assert record.message == "access denied"
    assert record.__dict__["account_id"] == str(gestionnaire.account_id)


def test_an_administrateur_acts_everywhere() -> None:
    ensure_academie(principal(Role.ADMINISTRATEUR), "CRETEIL")


def test_a_candidat_is_refused_even_naming_the_academie() -> None:
    with pytest.raises(ProblemError) as refused:
        ensure_academie(principal(Role.CANDIDAT, "PARIS"), "PARIS")
    assert refused.value.status == 403
