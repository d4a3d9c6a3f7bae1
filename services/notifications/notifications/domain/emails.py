"""Which emails each event gives, and what their templates are told (domain.md §6)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from notifications.domain.mail import Email, Recipient
from notifications.domain.portal import (
    Portal,
    addressee_name,
    civilite_label,
    hours_between,
    identity_name,
    local_datetime,
    masked_address,
    version_label,
)
from shared.events import EventPayload
from shared.events.catalogue import (
    AccountEmailChanged,
    AccountEmailChangeRequested,
    AccountRegistered,
    AccountRegistrationRepeated,
    CandidatureCreated,
    CandidatureModified,
    CandidatureRef,
    CandidatureWithdrawn,
    DocumentKind,
    DocumentPublished,
    PasswordResetRequested,
    WithdrawnBy,
)

Compose = Callable[[Any, datetime], list[Email]]

DOCUMENT_LABELS: Mapping[DocumentKind, str] = {
    DocumentKind.CONFIRMATION_INSCRIPTION: "Confirmation d'inscription",
    DocumentKind.DEMANDE_PIECES: "Demande de pièces justificatives",
    DocumentKind.RELANCE_PIECES: "Relance de pièces justificatives",
    DocumentKind.NOTIFICATION_AMENAGEMENT: "Notification de mesures d'aménagement",
    DocumentKind.CONVOCATION: "Convocation",
    DocumentKind.RELEVE_DE_NOTES: "Relevé de notes",
    DocumentKind.AUTRE: "Document",
}


class Mailbook:
    """The emails of every event the service listens to. `occurred_at` is the event's instant."""

    def __init__(self, portal: Portal, document_kinds: frozenset[DocumentKind]) -> None:
        self.portal = portal
        self.document_kinds = document_kinds
        self._composers = self.composers()

    def emails_of(self, event: EventPayload, occurred_at: datetime) -> list[Email]:
        return self._composers[type(event)](event, occurred_at)

    def composers(self) -> dict[type[EventPayload], Compose]:
        return {
            AccountRegistered: self.account_registered,
            AccountRegistrationRepeated: self.registration_repeated,
            PasswordResetRequested: self.password_reset_requested,
            AccountEmailChangeRequested: self.email_change_requested,
            AccountEmailChanged: self.email_changed,
            CandidatureCreated: self.candidature_created,
            CandidatureModified: self.candidature_modified,
            CandidatureWithdrawn: self.candidature_withdrawn,
            DocumentPublished: self.document_published,
        }

    def account_registered(self, event: AccountRegistered, occurred_at: datetime) -> list[Email]:
        name = identity_name(event.identite)
        context = {
            "civilite": civilite_label(event.identite.civilite),
            "nom_destinataire": name,
            "lien": self.portal.activation(event.activation_token),
            "validite_heures": hours_between(occurred_at, event.activation_expires_at),
            "expire_le": local_datetime(event.activation_expires_at),
        }
        return [Email("activation", Recipient(event.email, name), context, event.account_id)]

    def registration_repeated(
        self, event: AccountRegistrationRepeated, occurred_at: datetime
    ) -> list[Email]:
        context = {
            "lien_connexion": self.portal.login(),
            "lien_mot_de_passe": self.portal.forgotten_password(),
        }
        return [Email("compte_existant", Recipient(event.email), context, event.account_id)]

    def password_reset_requested(
        self, event: PasswordResetRequested, occurred_at: datetime
    ) -> list[Email]:
        context = {
            "lien": self.portal.password_reset(event.reset_token),
            "expire_le": local_datetime(event.reset_expires_at),
            "lien_mot_de_passe": self.portal.forgotten_password(),
        }
        recipient = Recipient(event.email)
        return [Email("reinitialisation_mot_de_passe", recipient, context, event.account_id)]

    def email_change_requested(
        self, event: AccountEmailChangeRequested, occurred_at: datetime
    ) -> list[Email]:
        confirmation = {
            "lien": self.portal.email_confirmation(event.confirmation_token),
            "expire_le": local_datetime(event.confirmation_expires_at),
        }
        notice = {
            "nouvelle_adresse": masked_address(event.new_email),
            "lien_mot_de_passe": self.portal.forgotten_password(),
        }
        new, old = Recipient(event.new_email), Recipient(event.current_email)
        return [
            Email("confirmation_nouvelle_adresse", new, confirmation, event.account_id),
            Email("changement_adresse_demande", old, notice, event.account_id),
        ]

    def email_changed(self, event: AccountEmailChanged, occurred_at: datetime) -> list[Email]:
        context = {
            "nouvelle_adresse": masked_address(event.new_email),
            "lien_mot_de_passe": self.portal.forgotten_password(),
        }
        recipient = Recipient(event.old_email)
        return [Email("changement_adresse_effectue", recipient, context, event.account_id)]

    def candidature_created(self, event: CandidatureCreated, occurred_at: datetime) -> list[Email]:
        context = {
            **self._candidature(event.candidature),
            "version": version_label(event.version),
            "enregistree_le": self._local(event.candidature, event.saved_at),
            "fermeture": self._local(event.candidature, event.closes_at),
            "epreuves": event.recapitulatif.epreuves,
        }
        return [self._to_candidate("inscription_enregistree", event.candidature, context)]

    def candidature_modified(
        self, event: CandidatureModified, occurred_at: datetime
    ) -> list[Email]:
        context = {
            **self._candidature(event.candidature),
            "version": version_label(event.version),
            "enregistree_le": self._local(event.candidature, event.saved_at),
            "fermeture": self._local(event.candidature, event.closes_at),
        }
        return [self._to_candidate("modification_inscription", event.candidature, context)]

    def candidature_withdrawn(
        self, event: CandidatureWithdrawn, occurred_at: datetime
    ) -> list[Email]:
        context = {
            **self._candidature(event.candidature),
            "desinscrite_le": self._local(event.candidature, event.withdrawn_at),
            "par_gestionnaire": event.withdrawn_by is WithdrawnBy.GESTIONNAIRE,
            "motif": event.reason,
        }
        return [self._to_candidate("desinscription", event.candidature, context)]

    def document_published(self, event: DocumentPublished, occurred_at: datetime) -> list[Email]:
        if event.kind not in self.document_kinds:
            return []
        context = {
            **self._candidature(event.candidature),
            "type_document": DOCUMENT_LABELS[event.kind],
            "titre": event.title,
            "publie_le": self._local(event.candidature, event.published_at),
            "lien": self.portal.documents(event.candidature.candidature_id),
        }
        return [self._to_candidate("document_disponible", event.candidature, context)]

    def _candidature(self, ref: CandidatureRef) -> dict[str, Any]:
        return {
            "civilite": civilite_label(ref.civilite),
            "nom_destinataire": addressee_name(ref.prenoms, ref.nom),
            "examen": ref.examen.libelle,
            "session": ref.session,
            "academie": ref.academie.libelle,
            "specialite": ref.specialite_libelle,
            "numero_candidat": ref.numero_candidat,
            "numero_inscription": ref.numero_inscription,
            "lien_inscriptions": self.portal.candidatures(),
            "lien_documents": self.portal.documents(ref.candidature_id),
            # Whom to contact about the candidature (guide, chapter 4); older events lack it.
            "service_gestionnaire": ref.service_gestionnaire,
        }

    @staticmethod
    def _local(ref: CandidatureRef, instant: datetime) -> str:
        return local_datetime(instant, ref.academie.fuseau_horaire)

    @staticmethod
    def _to_candidate(template: str, ref: CandidatureRef, context: dict[str, Any]) -> Email:
        recipient = Recipient(ref.email, addressee_name(ref.prenoms, ref.nom))
        return Email(template, recipient, context, ref.account_id)
