"""Payload models of the event catalogue (docs/events.md), shared so producers and consumers
agree.

Readers are tolerant: unknown fields are ignored, so a producer may add fields without a new
version; removing or changing a field's meaning needs a new version. Health data (handicap,
aménagement) travel only in events whose consumers need them.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr

from shared.events.envelope import EventPayload, event


class Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Civilite(StrEnum):
    M = "M"
    MME = "MME"


class Adresse(Part):
    ligne1: str
    ligne2: str | None = None
    code_postal: str
    commune: str
    pays: str


class Identite(Part):
    """A candidate's identity as the account holds it (docs/domain.md §1.1)."""

    civilite: Civilite
    nom_naissance: str
    nom_usage: str | None = None
    prenoms: str
    date_naissance: date
    pays_naissance: str
    commune_naissance: str | None = None
    departement_naissance: str | None = None
    nationalite: str
    adresse: Adresse
    telephone: str | None = None


# --- accounts ---------------------------------------------------------------------------------


@event("AccountRegistered")
class AccountRegistered(EventPayload):
    """A pending account was created; carries what the activation email needs."""

    account_id: uuid.UUID
    email: EmailStr
    identite: Identite
    activation_token: str
    activation_expires_at: AwareDatetime


@event("AccountRegistrationRepeated")
class AccountRegistrationRepeated(EventPayload):
    """Someone tried to create an account with an email already in use: its owner is told."""

    account_id: uuid.UUID
    email: EmailStr


@event("AccountActivated")
class AccountActivated(EventPayload):
    account_id: uuid.UUID
    email: EmailStr
    activated_at: AwareDatetime


@event("AccountIdentityChanged")
class AccountIdentityChanged(EventPayload):
    account_id: uuid.UUID
    identite: Identite
    changed_by: uuid.UUID
    reason: str | None = None


@event("AccountEmailChangeRequested")
class AccountEmailChangeRequested(EventPayload):
    account_id: uuid.UUID
    current_email: EmailStr
    new_email: EmailStr
    confirmation_token: str
    confirmation_expires_at: AwareDatetime


@event("AccountEmailChanged")
class AccountEmailChanged(EventPayload):
    account_id: uuid.UUID
    old_email: EmailStr
    new_email: EmailStr


@event("PasswordResetRequested")
class PasswordResetRequested(EventPayload):
    account_id: uuid.UUID
    email: EmailStr
    reset_token: str
    reset_expires_at: AwareDatetime


@event("AccountErased")
class AccountErased(EventPayload):
    account_id: uuid.UUID
    reason: str


# --- registration -----------------------------------------------------------------------------


class Examen(Part):
    code: str
    libelle: str


class Academie(Part):
    code: str
    libelle: str
    fuseau_horaire: str


class EpreuveInscrite(Part):
    """One line of the récapitulatif's épreuve table."""

    code: str
    libelle: str
    nature: str
    position: str
    mode: str | None = None
    option: str | None = None
    # The line as printed ("E2-A - Langue vivante 1 : Écrite - Anglais"), the parent épreuve
    # of a sous-épreuve, and the table's part ("obligatoire" or "facultative").
    intitule: str | None = None
    parent: str | None = None
    section: str | None = None


class AcquisDeclare(Part):
    """An acquis of the Acquis tab (bénéfice de notes, dispense)."""

    type: str
    annee: int
    academie: str
    epreuve: str
    note: str | None = None
    utilise: bool = True


class ServiceGestionnaire(Part):
    """The académie's exam office that a candidate contacts (guide, chapter 4)."""

    libelle: str
    adresse: list[str]
    email: EmailStr
    telephone: str
    horaires: str


class CandidatureRef(Part):
    """Who and what a candidature is, as every candidature event names it."""

    candidature_id: uuid.UUID
    account_id: uuid.UUID
    email: EmailStr
    civilite: Civilite
    nom: str
    prenoms: str
    examen: Examen
    session: int
    academie: Academie
    specialite_code: str
    specialite_libelle: str
    numero_candidat: str
    numero_inscription: str
    service_gestionnaire: ServiceGestionnaire | None = None


class Recapitulatif(Part):
    """The snapshot of a saved version: what the confirmation d'inscription shows."""

    identite: Identite
    categorie: str
    etablissement: str
    forme_passage: str
    diplome_possede: str | None = None
    epreuves: list[EpreuveInscrite]
    # Codes beside the labels above, the consents and the acquis (all optional: older
    # producers did not send them).
    categorie_code: str | None = None
    etablissement_code: str | None = None
    diplome_code: str | None = None
    consentement_presse: bool | None = None
    consentement_organismes_prives: bool | None = None
    consentement_collectivites: bool | None = None
    acquis: list[AcquisDeclare] = []
    noms_parents: list[str] = []
    # Health data as the booleans the consumers need (documents prints them, uploads asks for
    # the medical certificate); nothing more travels.
    handicap: bool | None = None
    amenagement: bool | None = None


@event("CandidatureCreated")
class CandidatureCreated(EventPayload):
    candidature: CandidatureRef
    version: int
    saved_at: AwareDatetime
    closes_at: AwareDatetime
    recapitulatif: Recapitulatif


@event("CandidatureModified")
class CandidatureModified(EventPayload):
    candidature: CandidatureRef
    version: int
    saved_at: AwareDatetime
    closes_at: AwareDatetime
    recapitulatif: Recapitulatif


class WithdrawnBy(StrEnum):
    CANDIDAT = "candidat"
    GESTIONNAIRE = "gestionnaire"


@event("CandidatureWithdrawn")
class CandidatureWithdrawn(EventPayload):
    candidature: CandidatureRef
    withdrawn_at: AwareDatetime
    withdrawn_by: WithdrawnBy
    reason: str | None = None


@event("CandidatureRejected")
class CandidatureRejected(EventPayload):
    candidature: CandidatureRef
    rejected_at: AwareDatetime
    reason: str


@event("CandidaturesPurged")
class CandidaturesPurged(EventPayload):
    """The retention ran out for these candidatures of one examen + session + académie: their
    personal data are gone from registration (the numbers, statut and référentiel codes stay
    for the counts). Documents and uploads delete their files. A large session + académie is
    published in several events, each with its own chunk of ids."""

    examen: str
    session: int
    academie: str
    candidature_ids: list[uuid.UUID]
    purged_at: AwareDatetime


# --- uploads ----------------------------------------------------------------------------------


@event("PiecesFournies")
class PiecesFournies(EventPayload):
    """The candidate declared a group of pièces provided: gestionnaires can check it."""

    candidature_id: uuid.UUID
    account_id: uuid.UUID
    academie_code: str
    groupe_id: uuid.UUID
    groupe_libelle: str
    piece_ids: list[uuid.UUID]
    fournies_at: AwareDatetime


@event("PieceStatusChanged")
class PieceStatusChanged(EventPayload):
    piece_id: uuid.UUID
    candidature_id: uuid.UUID
    status: str
    comment: str | None = None
    changed_at: AwareDatetime


# --- documents --------------------------------------------------------------------------------


class DocumentKind(StrEnum):
    CONFIRMATION_INSCRIPTION = "confirmation_inscription"
    DEMANDE_PIECES = "demande_pieces"
    RELANCE_PIECES = "relance_pieces"
    NOTIFICATION_AMENAGEMENT = "notification_amenagement"
    CONVOCATION = "convocation"
    RELEVE_DE_NOTES = "releve_de_notes"
    AUTRE = "autre"


@event("DocumentPublished")
class DocumentPublished(EventPayload):
    document_id: uuid.UUID
    candidature: CandidatureRef
    kind: DocumentKind
    title: str
    version: int | None = None
    published_at: AwareDatetime
