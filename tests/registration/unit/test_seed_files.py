"""The seed référentiel as shipped: valid, complete, and the guide's Banque exactly."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from registration.domain.imports import ImportBatch, Known, check, flatten, parse_batch
from registration.domain.referentiel import epreuve_tree
from registration.seed import KIND_FILES, FenetresSeed, read

BANQUE_OBLIGATOIRES = ["E1", "E2", "E3", "E4", "E5", "C-ANGL"]
BANQUE_FACULTATIVES = ["EF1", "EF2", "EF3"]


def seed_batch() -> ImportBatch:
    return parse_batch({kind: read(kind) for kind in KIND_FILES})


def test_the_seed_is_a_valid_import_on_its_own() -> None:
    assert check(flatten(seed_batch()), Known()) == []


def test_every_academie_has_a_real_time_zone_and_overseas_ones_theirs() -> None:
    academies = {a.code: a for a in seed_batch().academies}
    assert len(academies) >= 30
    zones = {a.fuseau_horaire for a in academies.values()}
    assert {"Europe/Paris", "America/Martinique", "Indian/Reunion", "Pacific/Noumea"} <= zones
    for academie in academies.values():
        ZoneInfo(academie.fuseau_horaire)
        assert academie.outre_mer == (academie.fuseau_horaire != "Europe/Paris")


def test_each_academie_has_its_individuels_etablissement_and_the_cned_is_national() -> None:
    batch = seed_batch()
    libelles = {e.academie: e.libelle for e in batch.etablissements if e.academie}
    assert libelles["025"] == "INDIVIDUELS 025"
    assert set(libelles) == {a.code for a in batch.academies}
    cned = next(e for e in batch.etablissements if e.code == "CNED")
    assert cned.academie is None


def test_every_academie_has_a_grand_public_window() -> None:
    groups = [FenetresSeed.model_validate(group) for group in read("fenetres")]
    covered = [code for group in groups for code in group.academies]
    assert sorted(covered) == sorted(a.code for a in seed_batch().academies)


def test_banque_has_exactly_the_epreuves_of_the_guide() -> None:
    changes = flatten(seed_batch())
    rows = [e for _, e in changes.of("epreuves") if e.specialite == "BANQUE"]
    tree = {node.code: node for node in epreuve_tree(rows)}
    assert list(tree) == BANQUE_OBLIGATOIRES + BANQUE_FACULTATIVES
    assert [tree[code].nature for code in BANQUE_OBLIGATOIRES] == ["obligatoire"] * 6
    assert [tree[code].nature for code in BANQUE_FACULTATIVES] == ["facultative"] * 3
    assert [s.code for s in tree["E2"].sous_epreuves] == ["E2-A", "E2-B"]
    assert [s.code for s in tree["E4"].sous_epreuves] == ["E4-A", "E4-B"]
    assert "Anglais" in tree["E2"].options
    assert len(seed_batch().specialites) >= 3


def test_every_academie_has_a_fictitious_service_gestionnaire() -> None:
    """Emails in exemple.fr, phones in the 01 99 00 xx xx range ARCEP keeps for fiction."""
    batch = seed_batch()
    offices = [s for s in batch.services_gestionnaires if s.examen is None]
    assert sorted(s.academie for s in offices) == sorted(a.code for a in batch.academies)
    for office in batch.services_gestionnaires:
        assert str(office.email).endswith(".exemple.fr")
        assert office.telephone.startswith("01 99 00 ")
        assert "Exemple" in office.adresse[1]
