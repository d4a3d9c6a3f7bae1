"""The password rule of the candidate guide, and the refusal of well-known passwords."""

from __future__ import annotations

import string
from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

MIN_LENGTH = 8
MAX_LENGTH = 20
# Undoes the usual substitutions, so that "P@ssw0rd" is found as "password".
UNLEET = str.maketrans("@4310!$57", "aaeioisst")
DECORATIONS = string.digits + string.punctuation + " "
# A decorated password is judged on its core only when the core is long enough to be one.
MIN_CORE = 4


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def is_special(character: str) -> bool:
    return not character.isalnum() and not character.isspace()


def rule_broken(password: str) -> str | None:
    """What the guide's rule finds wrong: 8 to 20 characters, a lowercase letter, an uppercase
    letter and a special character."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return f"The password must have {MIN_LENGTH} to {MAX_LENGTH} characters"
    if not any(character.islower() for character in password):
        return "The password needs at least one lowercase letter"
    if not any(character.isupper() for character in password):
        return "The password needs at least one uppercase letter"
    if not any(is_special(character) for character in password):
        return "The password needs at least one special character"
    return None


def variants(password: str) -> set[str]:
    lowered = password.lower()
    found = {lowered, lowered.translate(UNLEET)}
    cores = {variant.strip(DECORATIONS) for variant in found}
    return found | {core for core in cores if len(core) >= MIN_CORE}


def is_common(password: str) -> bool:
    return not variants(password).isdisjoint(common_passwords())


def check_password(password: str) -> str:
    if (broken := rule_broken(password)) is not None:
        raise PydanticCustomError("password_rule", broken)
    if is_common(password):
        raise PydanticCustomError(
            "password_common", "This password is too common: it appears in breached-password lists"
        )
    return password


# The rule for the OpenAPI document, in the syntax ECMA-262 and Python's `re` share (Latin
# letters; `check_password` stays the judge, so the schema describes without changing what is
# accepted, its messages and codes included).
RULE_PATTERN = (
    r"^(?=[\s\S]*[a-zß-öø-ÿ])(?=[\s\S]*[A-ZÀ-ÖØ-Þ])(?=[\s\S]*[^A-Za-zÀ-ÖØ-öø-ɏ0-9\s])[\s\S]"
    f"{{{MIN_LENGTH},{MAX_LENGTH}}}$"
)
RULE_SCHEMA = {
    "minLength": MIN_LENGTH,
    "maxLength": MAX_LENGTH,
    "pattern": RULE_PATTERN,
    "description": f"{MIN_LENGTH} to {MAX_LENGTH} characters, with a lowercase letter, an "
    "uppercase letter and a special character; well-known (breached) passwords are refused",
}

NewPassword = Annotated[str, AfterValidator(check_password), Field(json_schema_extra=RULE_SCHEMA)]
