"""The candidature's rules (domain.md §3; the guide, chapter 5): what each wizard tab takes,
how it is checked against the référentiel, and the épreuve lines of the récapitulatif.

Pure: the handler loads the référentiel (`Referentiel`) and the tabs' input, these functions
decide. Every check returns the complete list of problems (`Issue`), never the first one only,
so that a 422 names every wrong field. Nothing here knows BANQUE: options, `a_choix` groups,
facultatives, modes and labels all come from the référentiel's rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from registration.domain.errors import Issue
from registration.domain.referentiel import (
    Annee,
    Categorie,
    Code,
    Epreuve,
    Etablissement,
    Forme,
    Mode,
    Nature,
    Option,
    TypeAcquis,
)


class Onglet(StrEnum):
    """The wizard's tabs, in order (guide 5.1 to 5.7; 5.8 N° Inscription is the save's answer)."""

    IDENTIFICATION = "identification"
    INFORMATIONS = "informations-candidature"
    QUALIFICATION = "qualification"
    ACQUIS = "acquis"
    DIPLOME = "diplome"
    EPREUVES = "epreuves"
    RECAPITULATIF = "recapitulatif"


# The tabs that take input, in the wizard's order (the récapitulatif is computed).
SAISIE = (
    Onglet.IDENTIFICATION,
    Onglet.INFORMATIONS,
    Onglet.QUALIFICATION,
    Onglet.ACQUIS,
    Onglet.DIPLOME,
    Onglet.EPREUVES,
)

INSCRIT = "Inscrit"
NON_INSCRIT = "Non Inscrit"
BENEFICE = "Bénéfice"
DISPENSE = "Dispense"
MODE_LIBELLES = {Mode.PONCTUEL: "Ponctuel", Mode.CCF: "CCF"}
# The country code of the identity that needs no parents' names (born in France).
FRANCE = "FR"

Nom = Annotated[str, Field(min_length=1, max_length=100)]


class Tab(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class IdentificationSaisie(Tab):
    """The fields the examen requires beside the read-only identity: the parents' names of a
    candidate born abroad (domain.md §3.2.1)."""

    nom_parent_1: Nom | None = None
    nom_parent_2: Nom | None = None


class InformationsSaisie(Tab):
    categorie: Code
    etablissement: Code
    # Health data: stored apart (table candidature_sante), never logged.
    handicap: bool
    amenagement: bool
    consentement_presse: bool
    consentement_organismes_prives: bool
    consentement_collectivites: bool


class QualificationSaisie(Tab):
    specialite: Code
    forme: Forme


class AcquisLigne(Tab):
    type: Code
    annee: Annee
    academie: Code
    epreuve: Code
    note: Decimal | None = Field(default=None, ge=0, le=20, decimal_places=2)
    # Unticked: declared, but the candidate takes the épreuve again (guide 5.4).
    utilise: bool = True


class AcquisSaisie(Tab):
    acquis: list[AcquisLigne] = Field(default_factory=list, max_length=30)


class DiplomeSaisie(Tab):
    diplome: Code


class EpreuvesSaisie(Tab):
    # Épreuve code → the option chosen (the LV1 language of E2, the LV2's of EF1).
    options: dict[Code, Option] = Field(default_factory=dict, max_length=30)
    # Parent code → the sous-épreuve chosen in its `a_choix` group.
    choix: dict[Code, Code] = Field(default_factory=dict, max_length=30)
    facultatives: list[Code] = Field(default_factory=list, max_length=30)


MODELS: dict[Onglet, type[Tab]] = {
    Onglet.IDENTIFICATION: IdentificationSaisie,
    Onglet.INFORMATIONS: InformationsSaisie,
    Onglet.QUALIFICATION: QualificationSaisie,
    Onglet.ACQUIS: AcquisSaisie,
    Onglet.DIPLOME: DiplomeSaisie,
    Onglet.EPREUVES: EpreuvesSaisie,
}


@dataclass(frozen=True)
class Referentiel:
    """What the checks need of the référentiel, for one candidature (examen, session,
    académie) and the catégorie, établissement and spécialité its tabs name."""

    session: int
    academie: str
    facultatives_max: int
    categories: dict[str, Categorie]
    types_acquis: dict[str, TypeAcquis]
    diplomes: dict[str, str]
    academies: frozenset[str]
    specialites: dict[str, str]
    # The établissement the informations tab names (None: unknown or retired).
    etablissement: Etablissement | None = None
    # The épreuves of the spécialité the qualification tab names, in display order.
    epreuves: list[Epreuve] = field(default_factory=list)
    # Diplôme code → the épreuve codes of that spécialité the diplôme dispenses.
    diplome_dispenses: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Saisie:
    """The tabs as stored: each one the JSON its PUT accepted (absent: never saved)."""

    tabs: dict[str, dict[str, Any]]
    # Whether the projection holds an identity for the account, and its country of birth.
    has_identite: bool = True
    pays_naissance: str | None = FRANCE

    def parsed(self, onglet: Onglet) -> Tab | None:
        data = self.tabs.get(onglet.value)
        if data is None:
            return None
        try:
            return MODELS[onglet].model_validate(data)
        except ValidationError:
            return None  # written under older rules: the candidate fills the tab again

    @property
    def informations(self) -> InformationsSaisie | None:
        found = self.parsed(Onglet.INFORMATIONS)
        return found if isinstance(found, InformationsSaisie) else None

    @property
    def qualification(self) -> QualificationSaisie | None:
        found = self.parsed(Onglet.QUALIFICATION)
        return found if isinstance(found, QualificationSaisie) else None

    @property
    def acquis(self) -> AcquisSaisie:
        found = self.parsed(Onglet.ACQUIS)
        return found if isinstance(found, AcquisSaisie) else AcquisSaisie()

    @property
    def diplome(self) -> DiplomeSaisie | None:
        found = self.parsed(Onglet.DIPLOME)
        return found if isinstance(found, DiplomeSaisie) else None

    @property
    def epreuves(self) -> EpreuvesSaisie:
        found = self.parsed(Onglet.EPREUVES)
        return found if isinstance(found, EpreuvesSaisie) else EpreuvesSaisie()


# --- the checks, one per tab -------------------------------------------------------------------


def check(onglet: Onglet, tab: Tab, saisie: Saisie, ref: Referentiel) -> list[Issue]:
    """Every problem of `tab` (already of the tab's model) against the référentiel and the
    tabs it depends on (the catégorie for the forme, the spécialité for acquis and épreuves)."""
    if isinstance(tab, IdentificationSaisie):
        return check_identification(tab, saisie)
    if isinstance(tab, InformationsSaisie):
        return check_informations(tab, ref)
    if isinstance(tab, QualificationSaisie):
        return check_qualification(tab, saisie.informations, ref)
    if isinstance(tab, AcquisSaisie):
        return check_acquis(tab, saisie.qualification, ref)
    if isinstance(tab, DiplomeSaisie):
        return check_diplome(tab, ref)
    if isinstance(tab, EpreuvesSaisie):
        return check_epreuves(tab, saisie.qualification, ref)
    raise AssertionError(onglet)


def check_identification(tab: IdentificationSaisie, saisie: Saisie) -> list[Issue]:
    if not saisie.has_identite:
        return [Issue("identite", "your identity has not reached this service yet", "no-identity")]
    if saisie.pays_naissance != FRANCE and tab.nom_parent_1 is None:
        message = "born abroad: the name of at least one parent is required"
        return [Issue("nom_parent_1", message, "required")]
    return []


def check_informations(tab: InformationsSaisie, ref: Referentiel) -> list[Issue]:
    issues: list[Issue] = []
    if tab.categorie not in ref.categories:
        issues.append(Issue("categorie", f"unknown catégorie {tab.categorie}", "unknown-code"))
    etablissement = ref.etablissement
    if etablissement is None or etablissement.code != tab.etablissement:
        message = f"unknown établissement {tab.etablissement}"
        issues.append(Issue("etablissement", message, "unknown-code"))
    elif etablissement.academie not in (None, ref.academie):
        message = f"{etablissement.libelle} is an établissement of another académie"
        issues.append(Issue("etablissement", message, "other-academie"))
    elif tab.categorie in ref.categories and tab.categorie not in etablissement.categories:
        libelle = ref.categories[tab.categorie].libelle
        message = f"{etablissement.libelle} does not take candidates of the catégorie {libelle}"
        issues.append(Issue("etablissement", message, "categorie-mismatch"))
    if tab.amenagement and not tab.handicap:
        message = "an aménagement can be requested only with a handicap"
        issues.append(Issue("amenagement", message, "amenagement-without-handicap"))
    return issues


def _tab_missing(field_name: str, onglet: Onglet, what: str) -> Issue:
    return Issue(field_name, f"choose the {what} first (tab {onglet.value})", "tab-missing")


def check_qualification(
    tab: QualificationSaisie, informations: InformationsSaisie | None, ref: Referentiel
) -> list[Issue]:
    issues: list[Issue] = []
    if tab.specialite not in ref.specialites:
        message = f"no spécialité {tab.specialite} in this examen and session"
        issues.append(Issue("specialite", message, "unknown-code"))
    categorie = ref.categories.get(informations.categorie) if informations else None
    if categorie is None:
        issues.append(_tab_missing("forme", Onglet.INFORMATIONS, "catégorie"))
    elif tab.forme not in categorie.formes:
        allowed = ", ".join(categorie.formes)
        message = f"the catégorie {categorie.libelle} allows the forme(s): {allowed}"
        issues.append(Issue("forme", message, "forme-not-allowed"))
    return issues


def _by_code(ref: Referentiel) -> dict[str, Epreuve]:
    return {e.code: e for e in ref.epreuves}


def _has_children(ref: Referentiel, code: str) -> bool:
    return any(e.parent == code for e in ref.epreuves)


def check_acquis(
    tab: AcquisSaisie, qualification: QualificationSaisie | None, ref: Referentiel
) -> list[Issue]:
    if tab.acquis and (qualification is None or not ref.epreuves):
        return [_tab_missing("acquis", Onglet.QUALIFICATION, "spécialité")]
    issues: list[Issue] = []
    epreuves = _by_code(ref)
    seen = Counter(a.epreuve for a in tab.acquis)
    for i, acquis in enumerate(tab.acquis):
        where = f"acquis[{i}]"
        type_acquis = ref.types_acquis.get(acquis.type)
        if type_acquis is None:
            issues.append(Issue(f"{where}.type", f"unknown type {acquis.type}", "unknown-code"))
        if acquis.academie not in ref.academies:
            message = f"unknown académie {acquis.academie}"
            issues.append(Issue(f"{where}.academie", message, "unknown-code"))
        if acquis.epreuve not in epreuves:
            message = f"no épreuve {acquis.epreuve} in the spécialité"
            issues.append(Issue(f"{where}.epreuve", message, "unknown-epreuve"))
        elif seen[acquis.epreuve] > 1:
            message = f"the épreuve {acquis.epreuve} is declared more than once"
            issues.append(Issue(f"{where}.epreuve", message, "duplicate"))
        if acquis.annee >= ref.session:
            message = f"an acquis comes from a session before {ref.session}"
            issues.append(Issue(f"{where}.annee", message, "acquis-future"))
        if type_acquis is not None and type_acquis.note_min is not None:
            issues.extend(_check_benefice(acquis, type_acquis, where, ref))
    return issues


def _check_benefice(
    acquis: AcquisLigne, type_acquis: TypeAcquis, where: str, ref: Referentiel
) -> list[Issue]:
    """A bénéfice de notes: a mark of at least `note_min`, from one of the last
    `duree_validite_ans` sessions, on an épreuve that is not split into sous-épreuves."""
    issues: list[Issue] = []
    note_min = type_acquis.note_min
    assert note_min is not None
    if acquis.note is None:
        issues.append(Issue(f"{where}.note", "a bénéfice needs its mark", "required"))
    elif acquis.note < note_min:
        message = f"a bénéfice needs a mark of at least {note_min:g}"
        issues.append(Issue(f"{where}.note", message, "note-too-low"))
    validite = type_acquis.duree_validite_ans
    if validite is not None and acquis.annee < ref.session - validite:
        message = f"a bénéfice is kept {validite} sessions: from {ref.session - validite} on"
        issues.append(Issue(f"{where}.annee", message, "acquis-expired"))
    if _has_children(ref, acquis.epreuve):
        message = f"{acquis.epreuve} is split into sous-épreuves: declare the bénéfice on them"
        issues.append(Issue(f"{where}.epreuve", message, "benefice-on-parent"))
    return issues


def check_diplome(tab: DiplomeSaisie, ref: Referentiel) -> list[Issue]:
    if tab.diplome not in ref.diplomes:
        return [Issue("diplome", f"unknown diplôme {tab.diplome}", "unknown-code")]
    return []


def check_epreuves(
    tab: EpreuvesSaisie, qualification: QualificationSaisie | None, ref: Referentiel
) -> list[Issue]:
    if qualification is None or not ref.epreuves:
        return [_tab_missing("epreuves", Onglet.QUALIFICATION, "spécialité")]
    issues: list[Issue] = []
    epreuves = _by_code(ref)
    facultatives = {e.code for e in ref.epreuves if e.nature == Nature.FACULTATIVE}
    for code in tab.facultatives:
        if code not in facultatives:
            message = f"{code} is not a facultative épreuve of the spécialité"
            issues.append(Issue(f"facultatives.{code}", message, "not-facultative"))
    if len(set(tab.facultatives)) != len(tab.facultatives):
        issues.append(Issue("facultatives", "an épreuve is chosen twice", "duplicate"))
    if len(set(tab.facultatives)) > ref.facultatives_max:
        message = f"at most {ref.facultatives_max} facultative épreuve(s) this session"
        issues.append(Issue("facultatives", message, "too-many-facultatives"))
    chosen = taken(tab, ref)
    for code, option in tab.options.items():
        epreuve = epreuves.get(code)
        if epreuve is None or not epreuve.options:
            message = f"{code} is not an épreuve with options in the spécialité"
            issues.append(Issue(f"options.{code}", message, "unknown-epreuve"))
        elif option not in epreuve.options:
            message = f"{option} is not an option of {code}: {', '.join(epreuve.options)}"
            issues.append(Issue(f"options.{code}", message, "unknown-option"))
    for epreuve in ref.epreuves:
        if epreuve.options and epreuve.code in chosen and epreuve.code not in tab.options:
            message = f"choose the option of {epreuve.code} ({', '.join(epreuve.options)})"
            issues.append(Issue(f"options.{epreuve.code}", message, "required"))
    issues.extend(_check_choix(tab, ref))
    # One option (a language) serves one épreuve only: LV2 ≠ LV1.
    first: dict[str, str] = {}
    for code, option in tab.options.items():
        if code not in chosen:
            continue
        if option in first:
            message = f"{option} is already chosen for {first[option]}"
            issues.append(Issue(f"options.{code}", message, "same-option"))
        else:
            first[option] = code
    return issues


def _check_choix(tab: EpreuvesSaisie, ref: Referentiel) -> list[Issue]:
    issues: list[Issue] = []
    groups = choice_groups(ref)
    for parent, members in groups.items():
        picked = tab.choix.get(parent)
        if picked is None:
            message = f"choose one of {', '.join(members)} for {parent}"
            issues.append(Issue(f"choix.{parent}", message, "required"))
        elif picked not in members:
            message = f"{picked} is not one of {', '.join(members)}"
            issues.append(Issue(f"choix.{parent}", message, "unknown-epreuve"))
    for parent in tab.choix:
        if parent not in groups:
            message = f"{parent} has no sous-épreuves to choose from"
            issues.append(Issue(f"choix.{parent}", message, "unknown-epreuve"))
    return issues


def choice_groups(ref: Referentiel) -> dict[str, list[str]]:
    """Parent code → its `a_choix` sous-épreuves (the candidate takes one)."""
    groups: dict[str, list[str]] = {}
    for epreuve in ref.epreuves:
        if epreuve.nature == Nature.A_CHOIX and epreuve.parent is not None:
            groups.setdefault(epreuve.parent, []).append(epreuve.code)
    return groups


def taken(tab: EpreuvesSaisie, ref: Referentiel) -> set[str]:
    """The épreuves the candidate sits or is covered for: obligatoires, chosen facultatives and
    chosen alternatives, with the sous-épreuves of those taken."""
    result: set[str] = set()
    for epreuve in ref.epreuves:
        if epreuve.parent is not None:
            continue
        if epreuve.nature != Nature.FACULTATIVE or epreuve.code in tab.facultatives:
            result.add(epreuve.code)
    for epreuve in ref.epreuves:
        alternative = epreuve.nature == Nature.A_CHOIX
        if epreuve.parent in result and (
            not alternative or tab.choix.get(epreuve.parent) == epreuve.code
        ):
            result.add(epreuve.code)
    return result


# --- completeness -------------------------------------------------------------------------------


def tab_issues(saisie: Saisie, ref: Referentiel) -> dict[Onglet, list[Issue]]:
    """Each input tab's problems as things stand now (a later tab can become wrong when an
    earlier one changes: another catégorie, another spécialité). A tab never saved is
    incomplete, except Identification when the examen requires nothing of this candidate."""
    result: dict[Onglet, list[Issue]] = {}
    for onglet in SAISIE:
        tab = saisie.parsed(onglet)
        if tab is None and onglet == Onglet.IDENTIFICATION:
            tab = IdentificationSaisie()
        if tab is None:
            result[onglet] = [Issue(onglet.value, "this tab is not filled in", "tab-missing")]
        else:
            result[onglet] = check(onglet, tab, saisie, ref)
    return result


# --- the épreuve lines --------------------------------------------------------------------------


def diplome_intitule(libelle: str, libelle_court: str | None) -> str:
    """As the guide prints the diplôme possédé: "BACCALAURÉAT GÉNÉRAL - Bac général"."""
    return f"{libelle} - {libelle_court}" if libelle_court else libelle


def dispensed_by_diplome(saisie: Saisie, ref: Referentiel) -> frozenset[str]:
    """The épreuves the diplôme possédé dispenses (the référentiel says which), for a diplôme
    of the référentiel's list; a parent dispensed covers its sous-épreuves."""
    diplome = saisie.diplome
    if diplome is None or diplome.diplome not in ref.diplomes:
        return frozenset()
    codes = ref.diplome_dispenses.get(diplome.diplome, frozenset())
    return frozenset(
        e.code
        for e in ref.epreuves
        if e.code in codes or (e.parent is not None and e.parent in codes)
    )


@dataclass(frozen=True)
class Ligne:
    """One line of the récapitulatif's épreuve table."""

    code: str
    parent: str | None
    libelle: str
    nature: str
    position: str
    mode: str | None
    option: str | None

    @property
    def intitule(self) -> str:
        """As the guide prints it: "E2-A - Langue vivante 1 : Écrite - Anglais"."""
        text = f"{self.code} - {self.libelle}"
        return f"{text} - {self.option}" if self.option else text


def lignes(saisie: Saisie, categorie: Categorie, ref: Referentiel) -> list[Ligne]:
    """The épreuve table: every épreuve and sous-épreuve of the spécialité in display order
    (a parent, then its sous-épreuves), with its position and mode.

    Position: an acquis in use covers its épreuve (and a parent's sous-épreuves): "Bénéfice"
    for a type with a minimum mark, "Dispense" otherwise; an épreuve the diplôme possédé
    dispenses (`dispensed_by_diplome`) is "Dispense"; another épreuve taken is "Inscrit";
    a facultative or alternative not chosen is "Non Inscrit". Mode: for an épreuve "Inscrit",
    the first of the catégorie's modes that the épreuve allows (Ponctuel for individual
    candidates); none when the épreuve has no mode of its own (a parent graded through its
    sous-épreuves) or is not sat."""
    tab = saisie.epreuves
    chosen = taken(tab, ref)
    covered = {
        a.epreuve: a.type for a in saisie.acquis.acquis if a.utilise and a.type in ref.types_acquis
    }
    dispensed = dispensed_by_diplome(saisie, ref)
    by_code = _by_code(ref)
    children: dict[str | None, list[Epreuve]] = {}
    for epreuve in ref.epreuves:
        children.setdefault(epreuve.parent, []).append(epreuve)

    def position(epreuve: Epreuve) -> str:
        if epreuve.code not in chosen:
            return NON_INSCRIT
        type_code = covered.get(epreuve.code)
        if type_code is None and epreuve.parent is not None:
            type_code = covered.get(epreuve.parent)
        if type_code is not None:
            return BENEFICE if ref.types_acquis[type_code].note_min is not None else DISPENSE
        if epreuve.code in dispensed:
            return DISPENSE
        return INSCRIT

    def mode(epreuve: Epreuve, where: str) -> str | None:
        if where != INSCRIT:
            return None
        for candidate in categorie.modes:
            if candidate in epreuve.modes:
                return MODE_LIBELLES[candidate]
        return None

    def option(epreuve: Epreuve) -> str | None:
        if epreuve.code in tab.options:
            return tab.options[epreuve.code]
        parent = by_code.get(epreuve.parent) if epreuve.parent else None
        return tab.options.get(parent.code) if parent else None

    result: list[Ligne] = []

    def walk(parent: str | None) -> None:
        for epreuve in children.get(parent, []):
            where = position(epreuve)
            result.append(
                Ligne(
                    code=epreuve.code,
                    parent=epreuve.parent,
                    libelle=epreuve.libelle_court or epreuve.libelle,
                    nature=str(epreuve.nature),
                    position=where,
                    mode=mode(epreuve, where),
                    option=option(epreuve) if epreuve.code in chosen else None,
                )
            )
            walk(epreuve.code)

    walk(None)
    return result


def section(ligne: Ligne, by_code: dict[str, Epreuve]) -> str:
    """ "obligatoire" or "facultative": the table's two parts, by the top épreuve's nature."""
    code = ligne.parent or ligne.code
    top = by_code.get(code)
    return "facultative" if top is not None and top.nature == Nature.FACULTATIVE else "obligatoire"


def issues_of(tabs: dict[Onglet, list[Issue]]) -> list[Issue]:
    """All problems, each field prefixed with its tab (`qualification.forme`)."""
    return [
        Issue(f"{onglet.value}.{i.field}", i.message, i.code)
        for onglet, found in tabs.items()
        for i in found
    ]
