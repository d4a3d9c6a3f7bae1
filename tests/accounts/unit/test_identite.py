"""The identity rules of domain.md §1.1, each error naming its field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from accounts.domain.identite import IdentiteInput


def valid(**overrides: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "civilite": "M",
        "nom_naissance": "Dupont",
        "prenoms": "Jean",
        "date_naissance": "2000-01-31",
        "pays_naissance": "FR",
        "commune_naissance": "Lyon",
        "nationalite": "FR",
        "adresse": {"ligne1": "1 rue A", "code_postal": "69001", "commune": "Lyon", "pays": "FR"},
    }
    return {**value, **overrides}


def invalid_fields(data: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as raised:
        IdentiteInput.model_validate(data)
    return {".".join(map(str, error["loc"])) for error in raised.value.errors()}


@pytest.mark.parametrize(
    "name", ["Lefèvre-d'Aubigné", "N’Diaye", "Ægir", "García Márquez", "Ødegård", "O'Brien"]
)
def test_names_with_accents_apostrophes_and_hyphens_are_valid(name: str) -> None:
    assert IdentiteInput.model_validate(valid(nom_naissance=name)).nom_naissance == name


@pytest.mark.parametrize(
    "name",
    [
        "Dupont3",
        "Du--pont",
        "-Dupont",
        "Dupont\nBcc:",
        "<script>",
        "Robert'); DROP",
        " ",
        "Dupont😀",
        "Du\u200bpont",
        "Dupont\u0000",
    ],
)
def test_names_with_other_characters_are_refused(name: str) -> None:
    assert invalid_fields(valid(nom_naissance=name)) == {"nom_naissance"}


def test_spaces_are_tidied_and_unicode_normalised() -> None:
    decomposed = "Le\u0301ve\u0300que  Martin "
    parsed = IdentiteInput.model_validate(valid(nom_naissance=decomposed))
    assert parsed.nom_naissance == "Lévèque Martin"


def test_the_date_of_birth_must_be_in_the_past() -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert invalid_fields(valid(date_naissance=tomorrow)) == {"date_naissance"}
    assert invalid_fields(valid(date_naissance="1850-01-01")) == {"date_naissance"}


def test_born_in_france_needs_a_commune_or_a_departement() -> None:
    assert invalid_fields(valid(commune_naissance=None)) == {"commune_naissance"}
    assert IdentiteInput.model_validate(valid(commune_naissance=None, departement_naissance="974"))
    assert invalid_fields(valid(departement_naissance="99")) == {"departement_naissance"}


def test_born_abroad_needs_neither() -> None:
    assert IdentiteInput.model_validate(valid(pays_naissance="MA", commune_naissance=None))


@pytest.mark.parametrize("code", ["7500", "750011", "00100", "96000", "ABCDE"])
def test_a_french_address_needs_a_french_postal_code(code: str) -> None:
    adresse = {"ligne1": "1 rue A", "code_postal": code, "commune": "Paris", "pays": "FR"}
    assert invalid_fields(valid(adresse=adresse)) == {"adresse.code_postal"}


def test_overseas_postal_codes_are_french() -> None:
    adresse = {"ligne1": "1 rue A", "code_postal": "97400", "commune": "Saint-Denis", "pays": "FR"}
    assert IdentiteInput.model_validate(valid(adresse=adresse))


def test_control_characters_in_free_text_are_refused() -> None:
    adresse = {"ligne1": "1 rue A\r\nBcc: x", "code_postal": "75001", "commune": "P", "pays": "FR"}
    assert invalid_fields(valid(adresse=adresse)) == {"adresse.ligne1"}


def test_lengths_are_bounded() -> None:
    assert invalid_fields(valid(nom_naissance="a" * 101, prenoms="b" * 151)) == {
        "nom_naissance",
        "prenoms",
    }


def test_the_catalogue_identity_is_what_is_kept() -> None:
    identite = IdentiteInput.model_validate(valid(telephone="+33 6 12 34 56 78")).to_identite()
    assert identite.adresse.code_postal == "69001"
    assert identite.telephone == "+33 6 12 34 56 78"
