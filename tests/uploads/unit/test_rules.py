"""Which pièces follow from a saved version: the rules are data; a modification adds, retires
and brings back, never deletes."""

from __future__ import annotations

from shared.events.catalogue import AcquisDeclare, EpreuveInscrite
from shared.testing import factories
from uploads.domain.rules import Condition, Facts, Rule, Wanted, pieces_for, reconcile

FORMATS = ("application/pdf",)


def rule(code: str, condition: Condition, libelle: str = "", **extra: object) -> Rule:
    values: dict[str, object] = {
        "code": code,
        "libelle": libelle or code,
        "condition": condition,
        "groupe": "PIECES",
        "groupe_libelle": "Pièces",
        "formats": FORMATS,
        "max_bytes": 1000,
        **extra,
    }
    return Rule(**values)  # type: ignore[arg-type]


RULES = [
    rule("IDENTITE", Condition.TOUJOURS),
    rule("DIPLOME_ACCES", Condition.DIPLOME_POSSEDE, "Diplôme : {diplome}"),
    rule("RELEVE_BENEFICE", Condition.BENEFICE, "Relevé : {epreuve}"),
    rule("DIPLOME_DISPENSE", Condition.DISPENSE, "Dispense : {epreuve}"),
    rule("CERTIFICAT_MEDICAL", Condition.AMENAGEMENT),
    rule("CERTIFICATS_TRAVAIL", Condition.CATEGORIE, categories=("EP",)),
]


def codes(wanted: list[Wanted]) -> list[tuple[str, str]]:
    return [w.key for w in wanted]


def test_an_identity_document_is_always_asked_for() -> None:
    facts = Facts(categorie_code="FC", categorie="FORMATION CONTINUE", diplome=None)
    assert codes(pieces_for(facts, RULES)) == [("IDENTITE", "")]


def test_each_fact_adds_its_pieces() -> None:
    facts = Facts(
        categorie_code="EP",
        categorie="EXPERIENCE PROFESSIONNELLE",
        diplome="BAC PRO",
        benefices=("E1", "E2"),
        dispenses=("E3",),
        amenagement=True,
    )
    wanted = pieces_for(facts, RULES)
    assert codes(wanted) == [
        ("IDENTITE", ""),
        ("DIPLOME_ACCES", ""),
        ("RELEVE_BENEFICE", "E1"),
        ("RELEVE_BENEFICE", "E2"),
        ("DIPLOME_DISPENSE", "E3"),
        ("CERTIFICAT_MEDICAL", ""),
        ("CERTIFICATS_TRAVAIL", ""),
    ]
    assert wanted[1].libelle == "Diplôme : BAC PRO"
    assert wanted[3].libelle == "Relevé : E2"


def test_a_categorie_rule_matches_the_code_or_the_libelle() -> None:
    by_libelle = rule("X", Condition.CATEGORIE, categories=("EXPERIENCE PROFESSIONNELLE",))
    facts = Facts(categorie_code=None, categorie="Experience professionnelle", diplome=None)
    assert codes(pieces_for(facts, [by_libelle])) == [("X", "")]


def test_facts_are_read_from_the_recapitulatif() -> None:
    recap = factories.recapitulatif(
        categorie_code="EP",
        diplome_possede="BACCALAURÉAT GÉNÉRAL",
        amenagement=True,
        epreuves=[EpreuveInscrite(code="E1", libelle="Culture générale", nature="o", position="B")],
        acquis=[
            AcquisDeclare(type="BENEFICE", annee=2024, academie="BES", epreuve="E1", note="12"),
            AcquisDeclare(type="DISPENSE", annee=2020, academie="BES", epreuve="E3"),
            AcquisDeclare(type="BENEFICE", annee=2024, academie="BES", epreuve="E4", utilise=False),
        ],
    )
    facts = Facts.of(recap)
    assert facts.benefices == ("E1 - Culture générale",)
    assert facts.dispenses == ("E3",)
    assert facts.diplome == "BACCALAURÉAT GÉNÉRAL"
    assert facts.amenagement is True


def wanted(code: str, ref: str = "") -> Wanted:
    return Wanted(code, ref, code, "PIECES", "Pièces", FORMATS, 1000)


def test_a_modification_adds_retires_and_brings_back() -> None:
    existing = {("IDENTITE", ""): True, ("RELEVE_BENEFICE", "E1"): True, ("MEDICAL", ""): False}
    plan = reconcile(existing, [wanted("IDENTITE"), wanted("MEDICAL"), wanted("DISPENSE", "E3")])
    assert codes(plan.add) == [("DISPENSE", "E3")]
    assert plan.retire == [("RELEVE_BENEFICE", "E1")]
    assert plan.revive == [("MEDICAL", "")]


def test_the_same_version_again_changes_nothing() -> None:
    plan = reconcile({("IDENTITE", ""): True}, [wanted("IDENTITE")])
    assert (plan.add, plan.retire, plan.revive) == ([], [], [])
