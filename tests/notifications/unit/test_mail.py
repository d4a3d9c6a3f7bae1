from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from notifications.domain.mail import (
    Outgoing,
    Recipient,
    UnsafeHeader,
    build_message,
    display_name,
    header_text,
    mailbox,
    new_message_id,
)

NAME = "Hélène Lefèvre-d'Aubigné"


def outgoing(**changes: object) -> Outgoing:
    fields: dict[str, object] = {
        "id": 1,
        "recipient": Recipient("helene@example.org", NAME),
        "subject": "Modification d'inscription : BTS Banque – conseiller de clientèle",
        "text": f"Bonjour {NAME},\n",
        "html": f"<p>Bonjour {NAME},</p>",
        "message_id": "<abc@cyclades.example.fr>",
        "created_at": datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
        "attempts": 0,
    }
    return Outgoing(**{**fields, **changes})  # type: ignore[arg-type]


def round_trip(message: EmailMessage) -> EmailMessage:
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.mark.parametrize("text", ["a\r\nBcc: x@example.org", "a\nb", "a\rb", "a\x00b", "a\x7f"])
def test_header_text_refuses_line_breaks_and_control_characters(text: str) -> None:
    with pytest.raises(UnsafeHeader):
        header_text(text)


def test_header_text_keeps_accents_and_apostrophes() -> None:
    assert header_text(NAME) == NAME


def test_an_unsafe_display_name_is_dropped_not_sent() -> None:
    assert display_name("Martin\r\nBcc: x@example.org") is None
    assert display_name(NAME) == NAME
    assert display_name("") is None


def test_a_mailbox_refuses_anything_around_the_address() -> None:
    with pytest.raises(ValueError, match=r"."):
        mailbox("a@example.org, b@example.org")


def test_the_message_has_a_text_and_an_html_part_and_encoded_headers() -> None:
    sender = mailbox("ne-pas-repondre@cyclades.example.fr", "CYCLADES")

    built = build_message(outgoing(), sender)
    parsed = round_trip(built)

    assert parsed["Subject"] == outgoing().subject
    assert parsed["To"].addresses[0].display_name == NAME
    assert parsed["Message-ID"] == "<abc@cyclades.example.fr>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_body(("plain",)).get_content() == f"Bonjour {NAME},\n"  # type: ignore[union-attr]
    assert NAME in parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert built.as_bytes().isascii()


def test_an_unsafe_subject_is_refused_when_building() -> None:
    sender = mailbox("ne-pas-repondre@cyclades.example.fr")
    with pytest.raises(UnsafeHeader):
        build_message(outgoing(subject="Objet\r\nBcc: x@example.org"), sender)


def test_message_ids_are_unique_and_on_the_sender_domain() -> None:
    first, second = (new_message_id("no-reply@cyclades.example.fr") for _ in range(2))
    assert first != second
    assert first.endswith("@cyclades.example.fr>")
