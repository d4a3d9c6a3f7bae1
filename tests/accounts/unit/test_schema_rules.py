"""The rules the OpenAPI document shows (JSON Schema patterns) agree with the validators that
judge: a client checking a form against the schema refuses what the service refuses."""

from __future__ import annotations

import re

import pytest

from accounts.domain.identite import (
    FIRST_NAMES,
    FIRST_NAMES_PATTERN,
    NAME,
    NAME_PATTERN,
    PHONE,
    PHONE_PATTERN,
)
from accounts.domain.passwords import RULE_PATTERN, rule_broken

regex = re  # the patterns use only the syntax ECMA-262 and Python's `re` share

PASSWORDS = ["Vx9#kTqe", "Ab!defg", "Ab!defgh", "Ab!" + "d" * 17, "Ab!" + "d" * 18, "Été#Noël-42"]
PASSWORDS += ["ABCDEFG!", "abcdefg!", "Abcdefgh1", "Ab cd!ef", "Ab cdeff", "ß" + "Q!" + "x" * 5]
NAMES = ["Lefèvre-d'Aubigné", "N’Diaye", "Zoë Éloïse", "Dupont3", "Robert');", "a--b", "Ana "]
NAMES += ["Anne, Marie", "Anne,Marie", "Anne,, Marie", "Hélène, Éloïse"]
PHONES = ["+33 6 12 34 56 78", "0612345678", "call me", "+3361", "06.12.34.56.78"]


@pytest.mark.parametrize("password", PASSWORDS)
def test_the_password_pattern_is_the_rule(password: str) -> None:
    assert bool(regex.search(RULE_PATTERN, password)) == (rule_broken(password) is None)


@pytest.mark.parametrize("name", NAMES)
def test_the_name_pattern_is_the_rule(name: str) -> None:
    assert bool(regex.search(NAME_PATTERN, name)) == bool(NAME.fullmatch(name))
    assert bool(regex.search(FIRST_NAMES_PATTERN, name)) == bool(FIRST_NAMES.fullmatch(name))


@pytest.mark.parametrize("phone", PHONES)
def test_the_phone_pattern_is_the_rule(phone: str) -> None:
    assert bool(regex.search(PHONE_PATTERN, phone)) == bool(PHONE.fullmatch(phone))
