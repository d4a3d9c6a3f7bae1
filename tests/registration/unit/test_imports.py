"""Import validation without I/O: CSV shape and encoding, duplicates, unknown references."""

from __future__ import annotations

import pytest

from registration.domain.errors import ImportRefused
from registration.domain.imports import (
    Known,
    check,
    csv_batch,
    flatten,
    parse_batch,
    parse_key,
)

ACADEMIES_CSV = "code,libelle,fuseau_horaire,outre_mer\n900,Test,Europe/Paris,false\n"


def refusal(raw: bytes, kind: str) -> set[str]:
    with pytest.raises(ImportRefused) as refused:
        csv_batch(raw, kind)
    return {issue.code for issue in refused.value.issues}


def test_csv_in_utf8_is_read_with_or_without_bom() -> None:
    text = ACADEMIES_CSV.replace("Test", "Orléans")
    for raw in (text.encode(), "\ufeff".encode() + text.encode()):
        batch = csv_batch(raw, "academies")
        assert batch.academies[0].code == "900"
        assert batch.academies[0].libelle == "Orléans"


def test_csv_with_semicolons_as_spreadsheets_write_it() -> None:
    batch = csv_batch(ACADEMIES_CSV.replace(",", ";").encode(), "academies")
    assert batch.academies[0].fuseau_horaire == "Europe/Paris"


def test_csv_in_another_encoding_is_refused_clearly() -> None:
    raw = ACADEMIES_CSV.replace("Test", "Orléans").encode("latin-1")
    with pytest.raises(ImportRefused) as refused:
        csv_batch(raw, "academies")
    (issue,) = refused.value.issues
    assert issue.code == "encoding"
    assert "UTF-8" in issue.message


def test_csv_with_wrong_columns_names_each() -> None:
    raw = b"code,nom,fuseau_horaire,couleur\n900,Test,Europe/Paris,bleu\n"
    with pytest.raises(ImportRefused) as refused:
        csv_batch(raw, "academies")
    fields = {(issue.field, issue.code) for issue in refused.value.issues}
    assert fields == {
        ("column nom", "unknown-column"),
        ("column couleur", "unknown-column"),
        ("column libelle", "missing-column"),
    }


def test_csv_rows_with_the_wrong_number_of_cells_are_refused() -> None:
    assert refusal(ACADEMIES_CSV.encode() + b"901,Autre\n", "academies") == {"cell-count"}


def test_csv_invalid_cells_name_their_line() -> None:
    raw = ACADEMIES_CSV.encode() + b"901,Autre,Mars/Olympus,false\n"
    with pytest.raises(ImportRefused) as refused:
        csv_batch(raw, "academies")
    assert [issue.field for issue in refused.value.issues] == ["line 3.fuseau_horaire"]


def test_csv_lists_are_separated_by_bars() -> None:
    raw = b"code,libelle,modes,formes\nFC,FORMATION CONTINUE,ponctuel,globale|progressive\n"
    batch = csv_batch(raw, "categories")
    assert [str(forme) for forme in batch.categories[0].formes] == ["globale", "progressive"]


def test_unknown_kind_is_refused() -> None:
    assert refusal(ACADEMIES_CSV.encode(), "planetes") == {"unknown-kind"}


def test_an_import_is_bounded() -> None:
    rows = [{"code": f"D{n}", "libelle": "x"} for n in range(5001)]
    with pytest.raises(ImportRefused):
        parse_batch({"diplomes": rows})


def test_references_must_exist_in_the_referentiel_or_the_batch() -> None:
    batch = parse_batch(
        {
            "sessions": [{"examen": "BTS", "annee": 2027, "libelle": "2027"}],
            "etablissements": [
                {"code": "X", "libelle": "X", "academie": "999", "categories": ["FC"]}
            ],
            "specialites": [{"examen": "BTS", "session": 2028, "code": "S", "libelle": "S"}],
        }
    )
    issues = check(flatten(batch), Known(examens=frozenset({"BTS"})))
    assert {(issue.field, issue.code) for issue in issues} == {
        ("etablissements[0].academie", "unknown-code"),
        ("etablissements[0].categories", "unknown-code"),
        ("specialites[0].session", "unknown-code"),
    }


def test_duplicates_within_a_batch_are_refused() -> None:
    batch = parse_batch(
        {"diplomes": [{"code": "D", "libelle": "a"}, {"code": "D", "libelle": "b"}]}
    )
    issues = check(flatten(batch), Known())
    assert [(issue.field, issue.code) for issue in issues] == [("diplomes[1]", "duplicate")]


def test_the_epreuve_tree_has_two_levels() -> None:
    epreuve = {"examen": "BTS", "session": 2027, "specialite": "S", "nature": "obligatoire"}
    batch = parse_batch(
        {
            "epreuves": [
                {**epreuve, "code": "E1", "libelle": "E1"},
                {**epreuve, "code": "E1-A", "libelle": "A", "parent": "E1"},
                {**epreuve, "code": "E1-A-1", "libelle": "1", "parent": "E1-A"},
                {**epreuve, "code": "E9", "libelle": "9", "parent": "E8"},
            ]
        }
    )
    issues = check(flatten(batch), Known(specialites=frozenset({("BTS", 2027, "S")})))
    assert {(issue.field, issue.code) for issue in issues} == {
        ("epreuves[1].parent", "too-deep"),  # E1-A has a sous-épreuve of its own
        ("epreuves[2].parent", "too-deep"),  # E1-A-1's parent is a sous-épreuve
        ("epreuves[3].parent", "unknown-code"),
    }


def test_an_epreuve_with_sous_epreuves_cannot_become_one() -> None:
    known = Known(
        specialites=frozenset({("BTS", 2027, "S")}),
        epreuves={
            ("BTS", 2027, "S", "E1"): None,
            ("BTS", 2027, "S", "E1-A"): "E1",
            ("BTS", 2027, "S", "E2"): None,
        },
    )
    epreuve = {"examen": "BTS", "session": 2027, "specialite": "S", "nature": "obligatoire"}
    batch = parse_batch({"epreuves": [{**epreuve, "code": "E1", "libelle": "E1", "parent": "E2"}]})

    issues = check(flatten(batch), known)

    assert [(issue.field, issue.code) for issue in issues] == [("epreuves[0].parent", "too-deep")]


def test_nested_epreuves_are_flattened_in_order_with_their_parent() -> None:
    batch = parse_batch(
        {
            "specialites": [
                {
                    "examen": "BTS",
                    "session": 2027,
                    "code": "S",
                    "libelle": "S",
                    "epreuves": [
                        {"code": "E1", "libelle": "1", "nature": "obligatoire"},
                        {
                            "code": "E2",
                            "libelle": "2",
                            "nature": "obligatoire",
                            "sous_epreuves": [
                                {"code": "E2-A", "libelle": "a", "nature": "obligatoire"}
                            ],
                        },
                    ],
                }
            ]
        }
    )
    epreuves = [item for _, item in flatten(batch).of("epreuves")]
    assert [(e.code, e.parent, e.rang) for e in epreuves] == [
        ("E1", None, 0),
        ("E2", None, 1),
        ("E2-A", "E2", 0),
    ]


def test_keys_in_paths() -> None:
    assert parse_key("specialites", ["BTS", "2027", "BANQUE"]) == ("BTS", 2027, "BANQUE")
    for kind, parts in [("specialites", ["BTS", "x", "B"]), ("academies", ["1", "2"])]:
        with pytest.raises(ImportRefused):
            parse_key(kind, parts)


def test_a_diplomes_dispenses_are_examen_specialite_epreuve_separated_by_bars() -> None:
    raw = (
        "code,libelle,libelle_court,dispenses\n"
        "BTS,BREVET DE TECHNICIEN SUPÉRIEUR,BTS,BTS/BANQUE/E1|BTS/MCO/E1\n"
        "BAC-GEN,BACCALAURÉAT GÉNÉRAL,,\n"
    ).encode()
    bts, bac = csv_batch(raw, "diplomes").diplomes
    assert (bts.libelle_court, bts.dispenses) == ("BTS", ["BTS/BANQUE/E1", "BTS/MCO/E1"])
    assert (bac.libelle_court, bac.dispenses) == (None, [])
    assert refusal(b"code,libelle,dispenses\nBTS,BTS,BANQUE-E1\n", "diplomes")
