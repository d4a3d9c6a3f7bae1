from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest

from notifications.domain.emails import Mailbook
from notifications.domain.mail import Email
from notifications.domain.portal import Portal, first_prenom, local_datetime, masked_address
from notifications.domain.rendering import Renderer
from shared.events.catalogue import CandidatureRef, DocumentKind, DocumentPublished
from shared.testing.factories import (
    NOM,
    account_email_change_requested,
    account_registered,
    candidature_created,
    candidature_modified,
    candidature_ref,
    candidature_withdrawn,
    document_published,
    identite,
)

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
PORTAL = Portal("https://portail.example.test/")
MAILBOOK = Mailbook(PORTAL, frozenset({DocumentKind.CONVOCATION}))


def document(kind: DocumentKind) -> DocumentPublished:
    return document_published(kind=kind, title="Convocation", published_at=NOW)


def test_links_join_the_base_url_and_encode_tokens() -> None:
    assert PORTAL.activation("a+b/c=") == (
        "https://portail.example.test/compte/activation?token=a%2Bb%2Fc%3D"
    )


def test_instants_read_in_the_academie_time_zone() -> None:
    instant = datetime(2026, 12, 15, 3, 59, tzinfo=UTC)
    assert local_datetime(instant) == "15/12/2026 à 04h59 (heure de Paris)"
    assert local_datetime(instant, "America/Martinique") == "14/12/2026 à 23h59 (heure locale)"


def test_an_address_is_masked_for_the_old_mailbox() -> None:
    assert masked_address("nouvelle@example.org") == "n***@example.org"


def test_only_the_configured_document_kinds_give_an_email() -> None:
    assert MAILBOOK.document_published(document(DocumentKind.DEMANDE_PIECES), NOW) == []
    [email] = MAILBOOK.document_published(document(DocumentKind.CONVOCATION), NOW)
    assert email.template == "document_disponible"


def test_an_email_change_writes_to_both_addresses() -> None:
    event = account_email_change_requested(
        current_email="old@example.org", new_email="new@example.org"
    )
    emails = MAILBOOK.email_change_requested(event, NOW)
    assert [(e.template, e.recipient.address) for e in emails] == [
        ("confirmation_nouvelle_adresse", "new@example.org"),
        ("changement_adresse_demande", "old@example.org"),
    ]


def test_the_activation_validity_follows_the_event() -> None:
    event = account_registered(activation_expires_at=datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    [email] = MAILBOOK.account_registered(event, NOW)
    assert email.context["validite_heures"] == 48


def test_every_template_renders_names_escaped_in_html_and_plain_in_text() -> None:
    renderer = Renderer()
    ref = candidature_ref().model_copy(update={"nom": f"{NOM} <i>"})
    event = candidature_created(candidature=ref, saved_at=NOW, closes_at=NOW)
    [email] = MAILBOOK.candidature_created(event, NOW)

    composed = renderer.render(email)

    assert f"{NOM} <i>" in composed.text
    assert f"{NOM} &lt;i&gt;" in composed.html.replace("&#39;", "'")
    assert f"{NOM} <i>" in html.unescape(composed.html)
    assert composed.subject == "[CYCLADES] Inscription enregistrée : " + ref.examen.libelle


def test_all_templates_have_their_three_files() -> None:
    renderer = Renderer()
    templates = {
        "activation",
        "compte_existant",
        "reinitialisation_mot_de_passe",
        "confirmation_nouvelle_adresse",
        "changement_adresse_demande",
        "changement_adresse_effectue",
        "inscription_enregistree",
        "modification_inscription",
        "desinscription",
        "document_disponible",
    }
    for name in templates:
        for suffix in ("subject.txt", "txt", "html"):
            assert renderer._text.loader is not None
            renderer._text.loader.get_source(renderer._text, f"{name}.{suffix}")


@pytest.mark.parametrize("prenoms", ["Camille, Anne", "Camille Anne", " Camille ,Anne-Marie "])
def test_the_greeting_names_the_first_prenom_and_the_usage_name(prenoms: str) -> None:
    identity = identite(prenoms=prenoms, nom_naissance="Martin", nom_usage="Lefèvre")
    [email] = MAILBOOK.account_registered(account_registered(identite=identity), NOW)

    composed = Renderer().render(email)

    assert composed.text.startswith("Bonjour Madame Camille Lefèvre,\n")
    assert "Bonjour Madame Camille Lefèvre," in html.unescape(composed.html)
    assert composed.recipient.name == "Camille Lefèvre"


@pytest.mark.parametrize("prenoms", ["Camille, Anne", "Camille Anne Louise"])
def test_a_candidature_email_greets_by_the_first_prenom(prenoms: str) -> None:
    ref = candidature_ref(prenoms=prenoms, nom="Lefèvre")
    [email] = MAILBOOK.candidature_created(candidature_created(candidature=ref), NOW)

    composed = Renderer().render(email)

    assert composed.text.startswith("Bonjour Madame Camille Lefèvre,\n")
    assert "Bonjour Madame Camille Lefèvre," in html.unescape(composed.html)
    assert composed.recipient.name == "Camille Lefèvre"


def test_a_prenom_with_a_space_inside_is_kept_when_commas_separate_them() -> None:
    assert first_prenom("Jean Pierre, Paul") == "Jean Pierre"
    assert first_prenom("Jean-Pierre Paul") == "Jean-Pierre"


def candidature_emails(ref: CandidatureRef) -> list[Email]:
    """Every email about a candidature, for `ref`."""
    events = [
        MAILBOOK.candidature_created(candidature_created(candidature=ref), NOW),
        MAILBOOK.candidature_modified(candidature_modified(candidature=ref), NOW),
        MAILBOOK.candidature_withdrawn(candidature_withdrawn(candidature=ref), NOW),
        MAILBOOK.document_published(
            document_published(candidature=ref, kind=DocumentKind.CONVOCATION), NOW
        ),
    ]
    return [email for emails in events for email in emails]


def test_every_candidature_email_gives_the_service_gestionnaire_contact() -> None:
    ref = candidature_ref()
    office = ref.service_gestionnaire
    assert office is not None
    contact = [office.libelle, *office.adresse, office.email, office.telephone, office.horaires]

    emails = candidature_emails(ref)

    assert len(emails) == 4
    for email in emails:
        composed = Renderer().render(email)
        for part in (composed.text, html.unescape(composed.html)):
            assert "Votre service gestionnaire" in part, email.template
            for line in contact:
                assert line in part, (email.template, line)


def test_an_event_without_a_service_gestionnaire_gives_no_empty_block() -> None:
    for email in candidature_emails(candidature_ref(service_gestionnaire=None)):
        composed = Renderer().render(email)
        assert "service gestionnaire :" not in composed.text
        assert "service gestionnaire :" not in composed.html
