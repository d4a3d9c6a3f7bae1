"""The guide's password rule and the refusal of well-known passwords."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from accounts.domain.passwords import NewPassword, common_passwords, is_common, rule_broken


class Form(BaseModel):
    password: NewPassword


@pytest.mark.parametrize(
    "password", ["Vx9#kTqe", "Ab!defgh", "Été#Noël-42", "x" * 17 + "A!b", "Ab cd!ef"]
)
def test_passwords_following_the_rule_are_accepted(password: str) -> None:
    assert Form(password=password).password == password


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Ab!def", "8 to 20"),
        ("Ab!" + "d" * 18, "8 to 20"),
        ("ABCDEFG!", "lowercase"),
        ("abcdefg!", "uppercase"),
        ("Abcdefgh1", "special"),
    ],
)
def test_each_broken_part_of_the_rule_is_said(password: str, why: str) -> None:
    broken = rule_broken(password)
    assert broken is not None
    assert why in broken


@pytest.mark.parametrize(
    "password", ["Password1!", "P@ssw0rd!", "Azerty123!", "!!Dragon2024", "Iloveyou!", "Soleil#1"]
)
def test_well_known_passwords_are_refused_even_decorated(password: str) -> None:
    assert rule_broken(password) is None
    assert is_common(password)
    with pytest.raises(ValidationError, match="too common"):
        Form(password=password)


def test_the_shipped_list_holds_thousands_of_passwords() -> None:
    assert len(common_passwords()) > 10_000
    assert {"123456", "password", "azerty", "motdepasse"} <= common_passwords()


# The boundaries of "8 to 20 characters", each one meeting every other part of the rule.
SEVEN, EIGHT = "Ab!defg", "Ab!defgh"
TWENTY, TWENTY_ONE = "Ab!" + "d" * 17, "Ab!" + "d" * 18


@pytest.mark.parametrize("password", [EIGHT, TWENTY])
def test_8_and_20_characters_are_accepted(password: str) -> None:
    assert rule_broken(password) is None
    assert Form(password=password).password == password


@pytest.mark.parametrize("password", [SEVEN, TWENTY_ONE])
def test_7_and_21_characters_are_refused(password: str) -> None:
    assert rule_broken(password) == "The password must have 8 to 20 characters"
    with pytest.raises(ValidationError, match="8 to 20"):
        Form(password=password)


def test_a_huge_password_is_refused_by_its_length() -> None:
    with pytest.raises(ValidationError, match="8 to 20"):
        Form(password="Aa!" + "x" * 1_000_000)
