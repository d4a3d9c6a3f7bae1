"""Each email from its event, read back from the SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime

from notifications.settings import Settings
from shared.events.catalogue import Academie, DocumentKind, WithdrawnBy
from shared.testing.factories import (
    NOM,
    account_email_change_requested,
    account_email_changed,
    account_registered,
    account_registration_repeated,
    candidature_created,
    candidature_modified,
    candidature_ref,
    candidature_withdrawn,
    document_published,
    password_reset_requested,
    random_email,
)
from shared.testing.helpers import wait_until
from shared.testing.service import ServiceUnderTest
from shared.testing.smtp import SmtpSink
from tests.notifications.integration.conftest import (
    PORTAL,
    in_both_parts,
    mail_to,
    recorded_as_sent,
    text_part,
)

# The factories give "Hélène, Éloïse": a letter greets by the first prénom only.
ADDRESSEE = f"Hélène {NOM}"


async def test_account_registered_sends_the_activation_link_valid_48_hours(
    service: ServiceUnderTest, smtp: SmtpSink, settings: Settings
) -> None:
    email = random_email()
    await service.publish(
        account_registered(email=email, activation_token="tok+en/=1"), producer="accounts"
    )

    [message] = await mail_to(smtp, email)

    assert message["Subject"] == "[CYCLADES] Activer mon compte"
    assert message["To"].addresses[0].display_name == ADDRESSEE
    assert message["To"].addresses[0].addr_spec == email
    assert message["From"].addresses[0].addr_spec == settings.mail_from_address
    in_both_parts(
        message,
        f"{PORTAL}/compte/activation?token=tok%2Ben%2F%3D1",
        f"Bonjour Madame {ADDRESSEE},",
        "Vous venez de créer un compte sur Cyclades.",
        "Ce lien n'est valable que pour une durée de 48h",
        "Passé ce délai, vos informations seront effacées.",
        "Le Service Gestionnaire",
    )
    assert "Activer mon compte" in message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert await recorded_as_sent(service.pool, email)


async def test_a_repeated_registration_tells_the_owner_with_login_and_reset_links(
    service: ServiceUnderTest, smtp: SmtpSink
) -> None:
    email = random_email()
    await service.publish(account_registration_repeated(email=email))

    [message] = await mail_to(smtp, email)

    assert message["Subject"] == "[CYCLADES] Un compte existe déjà pour cette adresse"
    in_both_parts(
        message, "Un compte existe déjà", f"{PORTAL}/connexion", f"{PORTAL}/mot-de-passe/oubli"
    )


async def test_password_reset_sends_the_reset_link(
    service: ServiceUnderTest, smtp: SmtpSink
) -> None:
    email = random_email()
    expires = datetime(2026, 12, 1, 13, 45, tzinfo=UTC)
    await service.publish(
        password_reset_requested(email=email, reset_token="r3set", reset_expires_at=expires),
    )

    [message] = await mail_to(smtp, email)

    assert message["Subject"] == "[CYCLADES] Réinitialiser mon mot de passe"
    in_both_parts(
        message,
        f"{PORTAL}/mot-de-passe/reinitialisation?token=r3set",
        "01/12/2026 à 14h45 (heure de Paris)",
    )


async def test_an_email_change_confirms_to_the_new_address_and_warns_the_old_one(
    service: ServiceUnderTest, smtp: SmtpSink
) -> None:
    old, new = random_email("old"), random_email("new")
    await service.publish(
        account_email_change_requested(
            current_email=old, new_email=new, confirmation_token="c0nfirm"
        ),
    )

    [confirmation] = await mail_to(smtp, new)
    [notice] = await mail_to(smtp, old)

    assert confirmation["Subject"] == "[CYCLADES] Confirmer ma nouvelle adresse email"
    in_both_parts(confirmation, f"{PORTAL}/compte/email/confirmation?token=c0nfirm")
    assert notice["Subject"] == "[CYCLADES] Demande de changement de votre adresse email"
    in_both_parts(notice, "n***@example.org", f"{PORTAL}/mot-de-passe/oubli")
    assert "c0nfirm" not in text_part(notice)


async def test_a_changed_email_is_announced_to_the_old_address(
    service: ServiceUnderTest, smtp: SmtpSink
) -> None:
    old, new = random_email("old"), random_email("new")
    await service.publish(
        account_email_changed(old_email=old, new_email=new),
    )

    [notice] = await mail_to(smtp, old)

    assert notice["Subject"] == "[CYCLADES] L'adresse email de votre compte a été modifiée"
    in_both_parts(notice, "n***@example.org")
    assert smtp.to(new) == []


async def test_a_created_candidature_gives_its_numbers_and_closing_date(
    service: ServiceUnderTest, smtp: SmtpSink
) -> None:
    martinique = Academie(code="MAR", libelle="Martinique", fuseau_horaire="America/Martinique")
    ref = candidature_ref(academie=martinique)
    await service.publish(
        candidature_created(
            candidature=ref,
            saved_at=datetime(2026, 11, 28, 10, 0, tzinfo=UTC),
            closes_at=datetime(2026, 12, 15, 3, 59, tzinfo=UTC),
        ),
        producer="registration",
    )

    [message] = await mail_to(smtp, ref.email)

    assert message["Subject"] == "[CYCLADES] Inscription enregistrée : " + ref.examen.libelle
    assert message["To"].addresses[0].display_name == ADDRESSEE
    in_both_parts(
        message,
        f"Bonjour Madame {ADDRESSEE},",
        "02712345678",
        "BES-2027-000042",
        "14/12/2026 à 23h59 (heure locale)",
        "E1 - Culture générale et expression",
        "La validation en ligne vaut signature.",
        f"{PORTAL}/documents/{ref.candidature_id}",
    )
    assert "Version : 01" in text_part(message)


async def test_a_modified_candidature_is_titled_with_the_exam_and_gives_the_new_version(
    service: ServiceUnderTest, smtp: SmtpSink
) -> None:
    ref = candidature_ref()
    await service.publish(
        candidature_modified(candidature=ref, version=2),
    )

    [message] = await mail_to(smtp, ref.email)

    assert message["Subject"] == "Modification d'inscription : " + ref.examen.libelle
    in_both_parts(message, "version 02", "BES-2027-000042", "02712345678", NOM)


async def test_a_withdrawal_is_confirmed_with_the_reason_when_a_gestionnaire_did_it(
    service: ServiceUnderTest, smtp: SmtpSink
) -> None:
    ref = candidature_ref()
    await service.publish(
        candidature_withdrawn(
            candidature=ref,
            withdrawn_by=WithdrawnBy.GESTIONNAIRE,
            reason="Condition de formation non remplie <b>",
        ),
    )

    [message] = await mail_to(smtp, ref.email)

    assert message["Subject"] == "[CYCLADES] Désinscription : " + ref.examen.libelle
    in_both_parts(
        message,
        "a procédé le",
        "Motif : Condition de formation non remplie <b>",
        "BES-2027-000042",
        f"{PORTAL}/inscriptions",
        "Votre service gestionnaire",
        "dec.examens@ac-besancon.example.fr",
        "03 81 00 00 00",
    )
    raw_html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<b>" not in raw_html  # escaped, not markup


async def test_a_published_convocation_is_announced_but_not_a_demande_de_pieces(
    service: ServiceUnderTest, smtp: SmtpSink
) -> None:
    ref = candidature_ref()
    for kind, title in [
        (DocumentKind.DEMANDE_PIECES, "Pièces à fournir"),
        (DocumentKind.CONVOCATION, "Convocation aux épreuves écrites"),
    ]:
        await service.publish(
            document_published(candidature=ref, kind=kind, title=title),
            producer="documents",
        )

    [message] = await mail_to(smtp, ref.email)

    assert message["Subject"] == "[CYCLADES] Nouveau document disponible : Convocation"
    in_both_parts(message, "Convocation aux épreuves écrites", f"{PORTAL}/documents/")
    assert await wait_until(lambda: _inbox_count(service, 2))
    assert len(smtp.to(ref.email)) == 1


async def _inbox_count(service: ServiceUnderTest, count: int) -> bool:
    return bool(await service.pool.fetchval("SELECT count(*) >= $1 FROM inbox", count))
