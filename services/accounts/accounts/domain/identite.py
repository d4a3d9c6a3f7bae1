"""A candidate's identity as entered (domain.md §1.1): each field checked, each error named.

The input models check; the catalogue's `Identite` is what is stored and published.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from shared.events.catalogue import Adresse, Civilite, Identite

FRANCE = "FR"
LETTERS = r"[^\W\d_]+"
# Letters in words joined by one space, hyphen or apostrophe: "Lefèvre-d'Aubigné", "N'Diaye".
NAME = re.compile(rf"{LETTERS}(?:[ '’-]{LETTERS})*")
FIRST_NAMES = re.compile(rf"{LETTERS}(?:(?:[ '’-]|, ?){LETTERS})*")
FRENCH_POSTAL_CODE = re.compile(r"(?:0[1-9]|[1-8]\d|9[0-5]|97|98)\d{3}")
FOREIGN_POSTAL_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]{0,9}")
DEPARTEMENT = re.compile(r"0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6]|98[6-8]")
PHONE = re.compile(r"\+?\d[\d .-]{4,18}\d")
OLDEST_BIRTH = date(1900, 1, 1)


def tidy(value: str) -> str:
    """NFC, with runs of spaces made one; control characters (CR, LF…) are refused first, so
    that a header injection is an error, never silently flattened."""
    if any(unicodedata.category(character).startswith("C") for character in value):
        raise PydanticCustomError("control_character", "Control characters are not allowed")
    return " ".join(unicodedata.normalize("NFC", value).split())


def described(pattern: str, rule: str) -> Any:
    """The rule in the OpenAPI document only (ECMA-262, `u` flag): the validator next to it
    stays the judge, and it checks the value after `tidy` (so outer spaces are forgiven)."""
    return Field(json_schema_extra={"pattern": pattern, "description": rule})


# The same rules as NAME, FIRST_NAMES and PHONE, written for JSON Schema in the syntax that
# ECMA-262 and Python's `re` share (clients and fuzzers compile it with either), so letters are
# the Latin script's: the validators also take the letters of other scripts.
LATIN_LETTER = "[A-Za-zÀ-ÖØ-öø-ɏ]"
NAME_PATTERN = rf"^{LATIN_LETTER}+(?:[ '’-]{LATIN_LETTER}+)*$"
FIRST_NAMES_PATTERN = rf"^{LATIN_LETTER}+(?:(?:[ '’-]|, ?){LATIN_LETTER}+)*$"
PHONE_PATTERN = r"^\+?\d[\d .-]{4,18}\d$"


def _matching(pattern: re.Pattern[str], message: str) -> AfterValidator:
    def check(value: str) -> str:
        value = tidy(value)
        if not pattern.fullmatch(value):
            raise PydanticCustomError("pattern", message)
        return value

    return AfterValidator(check)


def _text(value: str) -> str:
    value = tidy(value)
    if not value:
        raise PydanticCustomError("empty", "This field must not be blank")
    return value


NAME_RULE = "Only letters, with spaces, hyphens or apostrophes between words"
FIRST_NAMES_RULE = NAME_RULE + " or commas"
Name = Annotated[
    str,
    Field(min_length=1, max_length=100),
    described(NAME_PATTERN, NAME_RULE),
    _matching(NAME, NAME_RULE),
]
FirstNames = Annotated[
    str,
    Field(min_length=1, max_length=150),
    described(FIRST_NAMES_PATTERN, FIRST_NAMES_RULE),
    _matching(FIRST_NAMES, FIRST_NAMES_RULE),
]
Text = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_text)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
Departement = Annotated[
    str, _matching(DEPARTEMENT, "A French département code: 01…95, 2A, 2B, 971…976, 986…988")
]
PHONE_RULE = "A phone number: digits, +, spaces"
Phone = Annotated[
    str, Field(max_length=25), described(PHONE_PATTERN, PHONE_RULE), _matching(PHONE, PHONE_RULE)
]


class AdresseInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The country first: the postal code is checked against it.
    pays: CountryCode
    ligne1: Text
    ligne2: Text | None = None
    code_postal: str = Field(min_length=1, max_length=10)
    commune: Text

    @field_validator("code_postal")
    @classmethod
    def _postal_code_of_country(cls, value: str, info: ValidationInfo) -> str:
        value = tidy(value)
        if info.data.get("pays") == FRANCE:
            if not FRENCH_POSTAL_CODE.fullmatch(value):
                raise PydanticCustomError("postal_code", "A French postal code has five digits")
        elif not FOREIGN_POSTAL_CODE.fullmatch(value):
            raise PydanticCustomError("postal_code", "Letters, digits, spaces or hyphens only")
        return value

    def to_adresse(self) -> Adresse:
        return Adresse(**self.model_dump())


class IdentiteInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    civilite: Civilite
    nom_naissance: Name
    nom_usage: Name | None = None
    prenoms: FirstNames
    date_naissance: date
    pays_naissance: CountryCode
    departement_naissance: Departement | None = None
    # Checked even when absent: born in France, the commune or the département is required.
    commune_naissance: Text | None = Field(default=None, validate_default=True)
    nationalite: CountryCode
    adresse: AdresseInput
    telephone: Phone | None = None

    @field_validator("date_naissance")
    @classmethod
    def _in_the_past(cls, value: date) -> date:
        if value >= datetime.now(UTC).date():
            raise PydanticCustomError("date_not_past", "The date of birth must be in the past")
        if value < OLDEST_BIRTH:
            raise PydanticCustomError("date_too_old", "The date of birth is before 1900")
        return value

    @field_validator("commune_naissance")
    @classmethod
    def _birthplace_in_france(cls, value: str | None, info: ValidationInfo) -> str | None:
        born_in_france = info.data.get("pays_naissance") == FRANCE
        # A département that failed its own check is absent from `data`, and already reported.
        departement_given = info.data.get("departement_naissance", "invalid") is not None
        if value is None and born_in_france and not departement_given:
            raise PydanticCustomError(
                "birthplace_required",
                "Born in France: give the commune (or the département) of birth",
            )
        return value

    def to_identite(self) -> Identite:
        return Identite(**self.model_dump(exclude={"adresse"}), adresse=self.adresse.to_adresse())
