"""Test data for every service's tests: identities and every event of the catalogue, as their
producers would send them. Names carry accents and apostrophes on purpose. Each builder takes
keyword overrides for the fields a test cares about; ids and emails are fresh on every call, so
tests never collide."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.events.catalogue import (
    Academie,
    AccountActivated,
    AccountEmailChanged,
    AccountEmailChangeRequested,
    AccountErased,
    AccountIdentityChanged,
    AccountRegistered,
    AccountRegistrationRepeated,
    CandidatureCreated,
    CandidatureModified,
    CandidatureRef,
    CandidatureRejected,
    CandidaturesPurged,
    CandidatureWithdrawn,
    DocumentKind,
    DocumentPublished,
    EpreuveInscrite,
    Examen,
    Identite,
    PasswordResetRequested,
    PiecesFournies,
    PieceStatusChanged,
    Recapitulatif,
    ServiceGestionnaire,
    WithdrawnBy,
)

NOM = "Lefèvre-d'Aubigné"
PRENOMS = "Hélène, Éloïse"


def random_email(prefix: str = "candidat") -> str:
    return f"{prefix}.{uuid.uuid4().hex[:10]}@example.org"


def utc_now() -> datetime:
    return datetime.now(UTC)


def identite_json(**overrides: Any) -> dict[str, Any]:
    """An identity as a candidate types it in the account form (JSON; countries as ISO codes)."""
    value: dict[str, Any] = {
        "civilite": "MME",
        "nom_naissance": NOM,
        "prenoms": PRENOMS,
        "date_naissance": "2001-04-12",
        "pays_naissance": "FR",
        "commune_naissance": "Besançon",
        "nationalite": "FR",
        "adresse": {
            "ligne1": "12 rue de l'Église",
            "code_postal": "25000",
            "commune": "Besançon",
            "pays": "FR",
        },
        "telephone": "+33 6 12 34 56 78",
    }
    return {**value, **overrides}


def identite(**overrides: Any) -> Identite:
    return Identite.model_validate(identite_json(**overrides))


# --- account events ----------------------------------------------------------------------------


def account_registered(**overrides: Any) -> AccountRegistered:
    values: dict[str, Any] = {
        "account_id": uuid.uuid4(),
        "email": random_email(),
        "identite": identite(),
        "activation_token": uuid.uuid4().hex,
        "activation_expires_at": utc_now() + timedelta(hours=48),
    }
    return AccountRegistered(**{**values, **overrides})


def account_registration_repeated(**overrides: Any) -> AccountRegistrationRepeated:
    values = {"account_id": uuid.uuid4(), "email": random_email()}
    return AccountRegistrationRepeated(**{**values, **overrides})


def account_activated(**overrides: Any) -> AccountActivated:
    values = {"account_id": uuid.uuid4(), "email": random_email(), "activated_at": utc_now()}
    return AccountActivated(**{**values, **overrides})


def account_identity_changed(**overrides: Any) -> AccountIdentityChanged:
    values = {"account_id": uuid.uuid4(), "identite": identite(), "changed_by": uuid.uuid4()}
    return AccountIdentityChanged(**{**values, **overrides})


def account_email_change_requested(**overrides: Any) -> AccountEmailChangeRequested:
    values: dict[str, Any] = {
        "account_id": uuid.uuid4(),
        "current_email": random_email("ancienne"),
        "new_email": random_email("nouvelle"),
        "confirmation_token": uuid.uuid4().hex,
        "confirmation_expires_at": utc_now() + timedelta(hours=48),
    }
    return AccountEmailChangeRequested(**{**values, **overrides})


def account_email_changed(**overrides: Any) -> AccountEmailChanged:
    values = {
        "account_id": uuid.uuid4(),
        "old_email": random_email("ancienne"),
        "new_email": random_email("nouvelle"),
    }
    return AccountEmailChanged(**{**values, **overrides})


def password_reset_requested(**overrides: Any) -> PasswordResetRequested:
    values: dict[str, Any] = {
        "account_id": uuid.uuid4(),
        "email": random_email(),
        "reset_token": uuid.uuid4().hex,
        "reset_expires_at": utc_now() + timedelta(hours=1),
    }
    return PasswordResetRequested(**{**values, **overrides})


def account_erased(**overrides: Any) -> AccountErased:
    values = {"account_id": uuid.uuid4(), "reason": "not activated within 48 hours"}
    return AccountErased(**{**values, **overrides})


# --- candidature events ------------------------------------------------------------------------


def candidature_ref(**overrides: Any) -> CandidatureRef:
    values: dict[str, Any] = {
        "candidature_id": uuid.uuid4(),
        "account_id": uuid.uuid4(),
        "email": random_email(),
        "civilite": "MME",
        "nom": NOM,
        "prenoms": PRENOMS,
        "examen": Examen(code="BTS", libelle="Brevet de technicien supérieur"),
        "session": 2027,
        "academie": Academie(code="BES", libelle="Besançon", fuseau_horaire="Europe/Paris"),
        "specialite_code": "BANQUE",
        "specialite_libelle": "Banque – conseiller de clientèle (particuliers)",
        "numero_candidat": "02712345678",
        "numero_inscription": "BES-2027-000042",
        # A fictitious exam office.
        "service_gestionnaire": ServiceGestionnaire(
            libelle="Rectorat de Besançon – Division des examens et concours",
            adresse=["10 rue de la Convention", "25030 Besançon Cedex"],
            email="dec.examens@ac-besancon.example.fr",
            telephone="03 81 00 00 00",
            horaires="du lundi au vendredi, de 9h à 12h et de 14h à 16h30",
        ),
    }
    return CandidatureRef(**{**values, **overrides})


def recapitulatif(**overrides: Any) -> Recapitulatif:
    values: dict[str, Any] = {
        "identite": identite(),
        "categorie": "FORMATION CONTINUE",
        "etablissement": "INDIVIDUELS 025",
        "forme_passage": "globale",
        "epreuves": [
            EpreuveInscrite(
                code="E1",
                libelle="Culture générale et expression",
                nature="obligatoire",
                position="Inscrit",
                mode="Ponctuel",
            ),
            EpreuveInscrite(
                code="EF2",
                libelle="Certification professionnelle",
                nature="facultative",
                position="Non inscrit",
            ),
        ],
    }
    return Recapitulatif(**{**values, **overrides})


def _version(**overrides: Any) -> dict[str, Any]:
    saved_at = overrides.get("saved_at", utc_now())
    values: dict[str, Any] = {
        "candidature": candidature_ref(),
        "version": 1,
        "saved_at": saved_at,
        "closes_at": saved_at + timedelta(days=30),
        "recapitulatif": recapitulatif(),
    }
    return {**values, **overrides}


def candidature_created(**overrides: Any) -> CandidatureCreated:
    return CandidatureCreated(**_version(**overrides))


def candidature_modified(**overrides: Any) -> CandidatureModified:
    return CandidatureModified(**_version(**{"version": 2, **overrides}))


def candidature_withdrawn(**overrides: Any) -> CandidatureWithdrawn:
    values: dict[str, Any] = {
        "candidature": candidature_ref(),
        "withdrawn_at": utc_now(),
        "withdrawn_by": WithdrawnBy.CANDIDAT,
    }
    return CandidatureWithdrawn(**{**values, **overrides})


def candidature_rejected(**overrides: Any) -> CandidatureRejected:
    values: dict[str, Any] = {
        "candidature": candidature_ref(),
        "rejected_at": utc_now(),
        "reason": "Conditions d'inscription non remplies",
    }
    return CandidatureRejected(**{**values, **overrides})


def candidatures_purged(**overrides: Any) -> CandidaturesPurged:
    values: dict[str, Any] = {
        "examen": "BTS",
        "session": 2027,
        "academie": "001",
        "candidature_ids": [uuid.uuid4()],
        "purged_at": utc_now(),
    }
    return CandidaturesPurged(**{**values, **overrides})


# --- pièces and documents ----------------------------------------------------------------------


def pieces_fournies(**overrides: Any) -> PiecesFournies:
    values: dict[str, Any] = {
        "candidature_id": uuid.uuid4(),
        "account_id": uuid.uuid4(),
        "academie_code": "BES",
        "groupe_id": uuid.uuid4(),
        "groupe_libelle": "Pièces à fournir avant le 15 janvier",
        "piece_ids": [uuid.uuid4()],
        "fournies_at": utc_now(),
    }
    return PiecesFournies(**{**values, **overrides})


def piece_status_changed(**overrides: Any) -> PieceStatusChanged:
    values: dict[str, Any] = {
        "piece_id": uuid.uuid4(),
        "candidature_id": uuid.uuid4(),
        "status": "conforme",
        "changed_at": utc_now(),
    }
    return PieceStatusChanged(**{**values, **overrides})


def document_published(**overrides: Any) -> DocumentPublished:
    values: dict[str, Any] = {
        "document_id": uuid.uuid4(),
        "candidature": candidature_ref(),
        "kind": DocumentKind.CONFIRMATION_INSCRIPTION,
        "title": "Confirmation d'inscription",
        "version": 1,
        "published_at": utc_now(),
    }
    return DocumentPublished(**{**values, **overrides})
