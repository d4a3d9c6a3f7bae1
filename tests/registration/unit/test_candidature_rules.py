"""The candidature's pure rules: each tab's checks, the épreuve lines, the numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from registration.domain import candidature as rules
from registration.domain.candidature import (
    AcquisSaisie,
    EpreuvesSaisie,
    IdentificationSaisie,
    InformationsSaisie,
    Onglet,
    QualificationSaisie,
    Referentiel,
    Saisie,
)
from registration.domain.numeros import (
    numero_candidat,
    numero_candidat_is_valid,
    numero_inscription,
    numero_inscription_is_valid,
)
from registration.domain.referentiel import Categorie, Epreuve, Etablissement, TypeAcquis

FC = Categorie(code="FC", libelle="FORMATION CONTINUE", modes=["ponctuel"], formes=["globale"])
ED = Categorie(code="ED", libelle="ENSEIGNEMENT A DISTANCE", modes=["ponctuel"], formes=["globale"])


def epreuve(code: str, **fields: Any) -> Epreuve:
    values: dict[str, Any] = {
        "examen": "X",
        "session": 2027,
        "specialite": "S",
        "code": code,
        "libelle": f"Épreuve {code}",
        "nature": "obligatoire",
        "modes": ["ponctuel"],
    }
    return Epreuve(**{**values, **fields})


# A made-up spécialité (not BANQUE): options, an a_choix group, facultatives.
EPREUVES = [
    epreuve("U1", options=["Anglais", "Espagnol"]),
    epreuve("U1-A", parent="U1"),
    epreuve("U2", modes=[]),
    epreuve("U2-X", parent="U2", nature="a_choix"),
    epreuve("U2-Y", parent="U2", nature="a_choix", modes=["ccf"]),
    epreuve("UF1", nature="facultative", options=["Anglais", "Espagnol", "Italien"]),
    epreuve("UF2", nature="facultative"),
    epreuve("UF3", nature="facultative"),
]


def referentiel(**overrides: Any) -> Referentiel:
    values: dict[str, Any] = {
        "session": 2027,
        "academie": "001",
        "facultatives_max": 2,
        "categories": {"FC": FC, "ED": ED},
        "types_acquis": {
            "BENEFICE": TypeAcquis(
                code="BENEFICE", libelle="Bénéfice", note_min=Decimal(10), duree_validite_ans=5
            ),
            "DISPENSE": TypeAcquis(code="DISPENSE", libelle="Dispense"),
        },
        "diplomes": {"BAC": "Bac"},
        "academies": frozenset({"001", "002"}),
        "specialites": {"S": "Spécialité"},
        "etablissement": Etablissement(
            code="I1", libelle="INDIVIDUELS 001", academie="001", categories=["FC"]
        ),
        "epreuves": EPREUVES,
    }
    return Referentiel(**{**values, **overrides})


def saisie(**tabs: Any) -> Saisie:
    base: dict[str, Any] = {
        "informations-candidature": informations().model_dump(mode="json"),
        "qualification": {"specialite": "S", "forme": "globale"},
    }
    return Saisie(tabs={**base, **tabs})


def informations(**fields: Any) -> InformationsSaisie:
    values: dict[str, Any] = {
        "categorie": "FC",
        "etablissement": "I1",
        "handicap": False,
        "amenagement": False,
        "consentement_presse": False,
        "consentement_organismes_prives": False,
        "consentement_collectivites": False,
    }
    return InformationsSaisie(**{**values, **fields})


def codes(issues: list[Any]) -> set[tuple[str, str]]:
    return {(i.field, i.code) for i in issues}


def test_informations_etablissement_of_another_academie_or_catégorie() -> None:
    other = Etablissement(code="I2", libelle="INDIVIDUELS 002", academie="002", categories=["FC"])
    issues = rules.check_informations(
        informations(etablissement="I2"), referentiel(etablissement=other)
    )
    assert codes(issues) == {("etablissement", "other-academie")}
    issues = rules.check_informations(informations(categorie="ED"), referentiel())
    assert codes(issues) == {("etablissement", "categorie-mismatch")}
    cned = Etablissement(code="CNED", libelle="CNED", academie=None, categories=["ED"])
    ok = informations(categorie="ED", etablissement="CNED")
    assert rules.check_informations(ok, referentiel(etablissement=cned)) == []


def test_amenagement_only_with_handicap() -> None:
    issues = rules.check_informations(informations(amenagement=True), referentiel())
    assert codes(issues) == {("amenagement", "amenagement-without-handicap")}
    both = informations(amenagement=True, handicap=True)
    assert rules.check_informations(both, referentiel()) == []


def test_forme_allowed_for_the_categorie_and_specialite_of_the_session() -> None:
    tab = QualificationSaisie(specialite="OTHER", forme="progressive")
    issues = rules.check_qualification(tab, informations(), referentiel())
    assert codes(issues) == {("specialite", "unknown-code"), ("forme", "forme-not-allowed")}
    issues = rules.check_qualification(tab, None, referentiel())
    assert ("forme", "tab-missing") in codes(issues)


@pytest.mark.parametrize(
    ("acquis", "expected"),
    [
        (
            {"type": "BENEFICE", "annee": 2024, "epreuve": "U1-A", "note": 9.5},
            ("note", "note-too-low"),
        ),
        (
            {"type": "BENEFICE", "annee": 2021, "epreuve": "U1-A", "note": 12},
            ("annee", "acquis-expired"),
        ),
        (
            {"type": "BENEFICE", "annee": 2024, "epreuve": "U1", "note": 12},
            ("epreuve", "benefice-on-parent"),
        ),
        ({"type": "BENEFICE", "annee": 2024, "epreuve": "U1-A"}, ("note", "required")),
        ({"type": "DISPENSE", "annee": 2024, "epreuve": "NOPE"}, ("epreuve", "unknown-epreuve")),
        ({"type": "DISPENSE", "annee": 2027, "epreuve": "U2"}, ("annee", "acquis-future")),
    ],
)
def test_acquis_refusals(acquis: dict[str, Any], expected: tuple[str, str]) -> None:
    tab = AcquisSaisie.model_validate({"acquis": [{"academie": "001", **acquis}]})
    issues = rules.check_acquis(
        tab, QualificationSaisie(specialite="S", forme="globale"), referentiel()
    )
    assert codes(issues) == {(f"acquis[0].{expected[0]}", expected[1])}


def test_a_benefice_from_the_fifth_session_back_is_kept() -> None:
    tab = AcquisSaisie.model_validate(
        {
            "acquis": [
                {
                    "type": "BENEFICE",
                    "annee": 2022,
                    "academie": "001",
                    "epreuve": "U1-A",
                    "note": 10,
                }
            ]
        }
    )
    qualification = QualificationSaisie(specialite="S", forme="globale")
    assert rules.check_acquis(tab, qualification, referentiel()) == []


def check_epreuves(**fields: Any) -> set[tuple[str, str]]:
    tab = EpreuvesSaisie.model_validate(fields)
    qualification = QualificationSaisie(specialite="S", forme="globale")
    return codes(rules.check_epreuves(tab, qualification, referentiel()))


def test_epreuves_options_choices_and_facultatives() -> None:
    assert check_epreuves(options={"U1": "Anglais"}, choix={"U2": "U2-X"}) == set()
    assert check_epreuves() == {("options.U1", "required"), ("choix.U2", "required")}
    assert check_epreuves(
        options={"U1": "Anglais", "UF1": "Anglais"}, choix={"U2": "U2-X"}, facultatives=["UF1"]
    ) == {("options.UF1", "same-option")}
    assert check_epreuves(
        options={"U1": "Anglais"}, choix={"U2": "U1-A"}, facultatives=["UF2", "UF3", "UF1"]
    ) == {
        ("choix.U2", "unknown-epreuve"),
        ("facultatives", "too-many-facultatives"),
        ("options.UF1", "required"),
    }
    assert check_epreuves(
        options={"U1": "Allemand", "U2": "Anglais"}, choix={"U2": "U2-X"}, facultatives=["U1"]
    ) == {
        ("options.U1", "unknown-option"),
        ("options.U2", "unknown-epreuve"),
        ("facultatives.U1", "not-facultative"),
    }


def test_the_facultatives_allowed_come_from_the_session() -> None:
    tab = EpreuvesSaisie.model_validate(
        {"options": {"U1": "Anglais"}, "choix": {"U2": "U2-X"}, "facultatives": ["UF2"]}
    )
    qualification = QualificationSaisie(specialite="S", forme="globale")
    issues = rules.check_epreuves(tab, qualification, referentiel(facultatives_max=0))
    assert codes(issues) == {("facultatives", "too-many-facultatives")}


def test_identification_needs_a_parent_for_a_candidate_born_abroad() -> None:
    abroad = Saisie(tabs={}, pays_naissance="MA")
    assert codes(rules.check_identification(IdentificationSaisie(), abroad)) == {
        ("nom_parent_1", "required")
    }
    assert rules.check_identification(IdentificationSaisie(nom_parent_1="X"), abroad) == []
    assert rules.check_identification(IdentificationSaisie(), Saisie(tabs={})) == []


def test_lines_positions_modes_and_labels() -> None:
    filled = saisie(
        epreuves={"options": {"U1": "Espagnol"}, "choix": {"U2": "U2-Y"}, "facultatives": ["UF2"]},
        acquis={
            "acquis": [{"type": "DISPENSE", "annee": 2024, "academie": "001", "epreuve": "U1-A"}]
        },
    )
    lines = [
        (ligne.intitule, ligne.position, ligne.mode)
        for ligne in rules.lignes(filled, FC, referentiel())
    ]
    assert lines == [
        ("U1 - Épreuve U1 - Espagnol", "Inscrit", "Ponctuel"),
        ("U1-A - Épreuve U1-A - Espagnol", "Dispense", None),
        ("U2 - Épreuve U2", "Inscrit", None),
        ("U2-X - Épreuve U2-X", "Non Inscrit", None),
        # The catégorie's modes (ponctuel) and the épreuve's (ccf) have none in common.
        ("U2-Y - Épreuve U2-Y", "Inscrit", None),
        ("UF1 - Épreuve UF1", "Non Inscrit", None),
        ("UF2 - Épreuve UF2", "Inscrit", "Ponctuel"),
        ("UF3 - Épreuve UF3", "Non Inscrit", None),
    ]


def test_a_diplome_dispenses_the_epreuves_the_referentiel_names() -> None:
    ref = referentiel(
        diplomes={"BAC": "Bac", "BTS": "BTS"},
        diplome_dispenses={"BTS": frozenset({"U1", "UF2"})},
    )
    chosen = {"options": {"U1": "Anglais"}, "choix": {"U2": "U2-X"}, "facultatives": ["UF1"]}
    with_bts = saisie(diplome={"diplome": "BTS"}, epreuves=chosen)
    assert rules.dispensed_by_diplome(with_bts, ref) == {"U1", "U1-A", "UF2"}
    positions = {
        ligne.code: (ligne.position, ligne.mode) for ligne in rules.lignes(with_bts, FC, ref)
    }
    # U1 and its sous-épreuve are dispensed, without a mode; UF2 is not chosen: Non Inscrit.
    assert positions["U1"] == ("Dispense", None)
    assert positions["U1-A"] == ("Dispense", None)
    assert positions["UF2"] == ("Non Inscrit", None)
    assert positions["UF1"] == ("Inscrit", "Ponctuel")
    assert positions["U2-X"] == ("Inscrit", "Ponctuel")
    # Another diplôme, none, or one not in the list: nothing dispensed.
    for tabs in ({"diplome": {"diplome": "BAC"}}, {}, {"diplome": {"diplome": "XX"}}):
        assert rules.dispensed_by_diplome(saisie(epreuves=chosen, **tabs), ref) == frozenset()


def test_a_benefice_in_use_wins_over_the_diplomes_dispense() -> None:
    ref = referentiel(diplomes={"BTS": "BTS"}, diplome_dispenses={"BTS": frozenset({"UF1"})})
    acquis = {"type": "BENEFICE", "annee": 2024, "academie": "001", "epreuve": "UF1", "note": 12}
    filled = saisie(
        diplome={"diplome": "BTS"},
        epreuves={
            "options": {"U1": "Anglais", "UF1": "Espagnol"},
            "choix": {"U2": "U2-X"},
            "facultatives": ["UF1"],
        },
        acquis={"acquis": [acquis]},
    )
    positions = {ligne.code: ligne.position for ligne in rules.lignes(filled, FC, ref)}
    assert positions["UF1"] == "Bénéfice"


def test_the_diplome_is_printed_with_its_short_label() -> None:
    assert rules.diplome_intitule("BACCALAURÉAT GÉNÉRAL", "Bac général") == (
        "BACCALAURÉAT GÉNÉRAL - Bac général"
    )
    assert rules.diplome_intitule("DAEU LONG", None) == "DAEU LONG"


def test_completeness_and_the_next_tab() -> None:
    issues = rules.tab_issues(Saisie(tabs={}), referentiel())
    assert [o for o, found in issues.items() if not found] == [Onglet.IDENTIFICATION]
    assert issues[Onglet.INFORMATIONS][0].code == "tab-missing"


def test_numbers_carry_a_check_character() -> None:
    candidat = numero_candidat(2027, 42)
    assert candidat == "27000000425"
    assert numero_candidat_is_valid(candidat)
    for i in range(len(candidat)):
        wrong = candidat[:i] + str((int(candidat[i]) + 1) % 10) + candidat[i + 1 :]
        assert not numero_candidat_is_valid(wrong)
    swapped = candidat[:2] + candidat[3] + candidat[2] + candidat[4:]
    assert swapped == candidat or not numero_candidat_is_valid(swapped)
    inscription = numero_inscription("BTS", 2027, "001", 42)
    assert inscription == "BTS27-001-0000042B"
    assert numero_inscription_is_valid(inscription)
    assert not numero_inscription_is_valid("BTS27-001-0000043B")
    assert not numero_inscription_is_valid("BTS27-001-0000024B")
    with pytest.raises(ValueError, match="exhausted"):
        numero_inscription("BTS", 2027, "001", 10**7)
