"""An email to send, from the moment an event asks for it to the MIME message on the wire."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default
from email.utils import format_datetime
from typing import Any

# CR and LF would start a new header; the other C0 controls and DEL have no place in one either.
UNSAFE_IN_HEADER = re.compile(r"[\x00-\x1f\x7f]")
MAX_HEADER_TEXT = 200


class UnsafeHeader(ValueError):
    """Text meant for a header holds a line break or a control character."""


def header_text(value: str) -> str:
    """`value`, if it can go into a header as it is; never silently altered."""
    if UNSAFE_IN_HEADER.search(value):
        raise UnsafeHeader(f"control character in header text {value[:40]!r}")
    if len(value) > MAX_HEADER_TEXT:
        raise UnsafeHeader(f"header text longer than {MAX_HEADER_TEXT} characters")
    return value


def display_name(name: str | None) -> str | None:
    """A name for the To header, or none at all when it is not safe there: the email still
    goes out (the name stays in the body, where a line break does no harm)."""
    try:
        return header_text(name) if name else None
    except UnsafeHeader:
        return None


def mailbox(address: str, name: str | None = None) -> Address:
    """A mailbox for From/To; `Address` parses the address and refuses anything around it."""
    return Address(display_name=header_text(name or ""), addr_spec=header_text(address))


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str | None = None


@dataclass(frozen=True)
class Email:
    """An email an event asks for: a template, its recipient, and what the template shows."""

    template: str
    recipient: Recipient
    context: Mapping[str, Any] = field(default_factory=dict)
    # Whose email it is, so that erasing the account erases its emails too.
    account_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Composed:
    """An email rendered: what the outgoing-messages table keeps."""

    template: str
    recipient: Recipient
    subject: str
    text: str
    html: str
    account_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Outgoing:
    """A stored message claimed for delivery."""

    id: int
    recipient: Recipient
    subject: str
    text: str
    html: str
    message_id: str
    created_at: datetime
    attempts: int


def new_message_id(sender_address: str) -> str:
    domain = sender_address.rpartition("@")[2]
    return f"<{uuid.uuid4().hex}@{domain}>"


def build_message(outgoing: Outgoing, sender: Address) -> EmailMessage:
    message = EmailMessage(policy=default)
    message["From"] = sender
    message["To"] = mailbox(outgoing.recipient.address, outgoing.recipient.name)
    message["Subject"] = header_text(outgoing.subject)
    message["Date"] = format_datetime(outgoing.created_at)
    message["Message-ID"] = outgoing.message_id
    # RFC 3834: tells autoresponders not to answer a no-reply sender.
    message["Auto-Submitted"] = "auto-generated"
    # Quoted-printable keeps the message 7-bit: no relay on the way needs 8BITMIME.
    message.set_content(outgoing.text, cte="quoted-printable")
    message.add_alternative(outgoing.html, subtype="html", cte="quoted-printable")
    return message
