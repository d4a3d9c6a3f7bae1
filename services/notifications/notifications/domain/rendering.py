"""Rendering an email's subject, text part and HTML part from its template files."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from notifications.domain.mail import Composed, Email, Recipient, display_name, header_text

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _environment(directory: Path, *, html: bool) -> Environment:
    return Environment(
        loader=FileSystemLoader(directory),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class Renderer:
    """`<name>.subject.txt`, `<name>.txt` and `<name>.html` for each template; the HTML
    environment escapes every value, the text one leaves them as they are."""

    def __init__(self, directory: Path = TEMPLATES) -> None:
        self._text = _environment(directory, html=False)
        self._html = _environment(directory, html=True)

    def render(self, email: Email) -> Composed:
        context = dict(email.context)
        subject = self._text.get_template(f"{email.template}.subject.txt").render(context)
        return Composed(
            template=email.template,
            recipient=Recipient(email.recipient.address, display_name(email.recipient.name)),
            subject=header_text(subject.strip()),
            text=self._text.get_template(f"{email.template}.txt").render(context),
            html=self._html.get_template(f"{email.template}.html").render(context),
            account_id=email.account_id,
        )
