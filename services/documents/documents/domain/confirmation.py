"""The confirmation d'inscription: a PDF of one version of a candidature's récapitulatif.

A pure function of the event (same event, same bytes: reportlab's invariant mode), rendered
with reportlab's platypus on A4 with an embedded TrueType font (DejaVu Sans where the OS has it,
else reportlab's bundled Vera), so accents, apostrophes and « » are drawn and the text can be
extracted. Every value is escaped before it reaches a Paragraph: markup in a name is printed,
never interpreted. Rendering is CPU work: the worker calls it in a process pool.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from documents.domain.fonts import BOLD, REGULAR, register_fonts
from documents.domain.stamp import STAMP_BOTTOM, STAMP_HEIGHT, Stamp, draw_stamp
from shared.events.catalogue import CandidatureCreated, CandidatureModified, Identite

Version = CandidatureCreated | CandidatureModified

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
SIGNATURE = "La validation en ligne vaut signature."
# A table with a header row (the épreuves; the gestionnaires' templates too).
GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf4")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)
TITLE = "Confirmation d’inscription"
BOTTOM_MARGIN = 18 * mm


def local_instant(at: datetime, zone: str) -> str:
    """`15 janvier 2027 à 23 h 59` in the académie's time zone."""
    local = at.astimezone(ZoneInfo(zone))
    day = "1er" if local.day == 1 else str(local.day)
    hour = f"{local.hour}\u00a0h\u00a0{local.minute:02d}"  # non-breaking: 23 h 59 stays one
    return f"{day} {MONTHS[local.month - 1]} {local.year} à {hour}"


def _text(value: object) -> str:
    """A value printed literally: markup characters are escaped, never interpreted."""
    return escape(str(value))


def _yes_no(value: bool | None) -> str:
    return "non renseigné" if value is None else ("oui" if value else "non")


class _Styles:
    def __init__(self) -> None:
        self.body = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=12.5)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8.5, leading=10.5)
        self.title = ParagraphStyle(
            "title", fontName=BOLD, fontSize=16, leading=20, spaceAfter=2 * mm
        )
        self.heading = ParagraphStyle(
            "heading",
            fontName=BOLD,
            fontSize=11,
            leading=14,
            spaceBefore=4 * mm,
            spaceAfter=1.5 * mm,
        )
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=8.5, leading=10.5)
        self.cell_head = ParagraphStyle("cell_head", parent=self.cell, fontName=BOLD)
        self.right = ParagraphStyle("right", parent=self.body, alignment=TA_RIGHT)


def _fields(rows: list[tuple[str, str | None]], styles: _Styles) -> Table:
    data = [
        [Paragraph(_text(label), styles.cell_head), Paragraph(_text(value), styles.cell)]
        for label, value in rows
        if value not in (None, "")
    ]
    table = Table(data, colWidths=[52 * mm, 118 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def _identity(identite: Identite, email: str) -> list[tuple[str, str | None]]:
    born = identite.date_naissance.strftime("%d/%m/%Y")
    lieu = ", ".join(
        part
        for part in (
            identite.commune_naissance,
            identite.departement_naissance,
            identite.pays_naissance,
        )
        if part
    )
    adresse = identite.adresse
    lines = [adresse.ligne1, adresse.ligne2, f"{adresse.code_postal} {adresse.commune}"]
    lines.append(adresse.pays)
    return [
        ("Civilité", "Madame" if identite.civilite == "MME" else "Monsieur"),
        ("Nom de naissance", identite.nom_naissance),
        ("Nom d’usage", identite.nom_usage),
        ("Prénoms", identite.prenoms),
        ("Né(e) le", f"{born} à {lieu}"),
        ("Nationalité", identite.nationalite),
        ("Adresse", " – ".join(line for line in lines if line)),
        ("Téléphone", identite.telephone),
        ("Adresse électronique", email),
    ]


def _epreuves(event: Version, styles: _Styles) -> Table:
    head = ["Code", "Épreuve", "Nature", "Position", "Mode", "Option"]
    data: list[list[Any]] = [[Paragraph(label, styles.cell_head) for label in head]]
    for epreuve in event.recapitulatif.epreuves:
        libelle = epreuve.libelle
        if epreuve.intitule:
            libelle = f"{libelle} – {epreuve.intitule}"
        values = [
            epreuve.code,
            libelle,
            epreuve.nature,
            epreuve.position,
            epreuve.mode or "",
            epreuve.option or "",
        ]
        data.append([Paragraph(_text(value), styles.cell) for value in values])
    widths = [14 * mm, 62 * mm, 24 * mm, 24 * mm, 22 * mm, 24 * mm]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(GRID)
    return table


def _story(event: Version, styles: _Styles) -> list[Flowable]:
    ref, recap = event.candidature, event.recapitulatif
    zone = ref.academie.fuseau_horaire
    story: list[Flowable] = [
        Paragraph(TITLE, styles.title),
        Paragraph(
            _text(f"{ref.examen.libelle} – session {ref.session} – {ref.specialite_libelle}"),
            styles.body,
        ),
        Paragraph(_text(f"Académie de {ref.academie.libelle}"), styles.body),
        Paragraph(
            _text(f"Version {event.version} enregistrée le {local_instant(event.saved_at, zone)}"),
            styles.body,
        ),
        Paragraph("Identité", styles.heading),
        _fields(_identity(recap.identite, str(ref.email)), styles),
        Paragraph("Inscription", styles.heading),
        _fields(
            [
                ("Catégorie", recap.categorie),
                ("Établissement", recap.etablissement),
                ("Forme de passage", recap.forme_passage),
                ("Diplôme possédé (qualification)", recap.diplome_possede),
                ("Noms des parents", ", ".join(recap.noms_parents)),
            ],
            styles,
        ),
    ]
    if recap.acquis:
        story.append(Paragraph("Acquis déclarés", styles.heading))
        for acquis in recap.acquis:
            note = f", note {acquis.note}" if acquis.note else ""
            used = "" if acquis.utilise else " (non utilisé)"
            line = f"{acquis.epreuve} : {acquis.type} {acquis.annee}, académie {acquis.academie}"
            story.append(Paragraph(_text(f"{line}{note}{used}"), styles.body))
    story += [
        Paragraph("Épreuves", styles.heading),
        _epreuves(event, styles),
        Paragraph("Consentements", styles.heading),
        _fields(
            [
                ("Publication des résultats (presse)", _yes_no(recap.consentement_presse)),
                ("Organismes privés", _yes_no(recap.consentement_organismes_prives)),
                ("Collectivités", _yes_no(recap.consentement_collectivites)),
            ],
            styles,
        ),
        Spacer(1, 3 * mm),
        Paragraph(
            _text(
                "Vous pouvez modifier votre inscription jusqu’à la clôture des inscriptions, le "
                f"{local_instant(event.closes_at, zone)} (heure de {zone})."
            ),
            styles.body,
        ),
    ]
    service = ref.service_gestionnaire
    if service is not None:
        story.append(Paragraph("Service gestionnaire", styles.heading))
        lines = [service.libelle, *service.adresse]
        lines += [f"Courriel : {service.email}", f"Téléphone : {service.telephone}"]
        lines.append(f"Accueil : {service.horaires}")
        story += [Paragraph(_text(line), styles.body) for line in lines]
    story += [Spacer(1, 5 * mm), Paragraph(_text(SIGNATURE), styles.title)]
    return story


def draw_header_and_footer(canvas: Canvas, lines: list[str], footer: str, page: int) -> None:
    """Every page of the service's A4 documents: the numbers top right, the title and the page
    number at the foot."""
    canvas.saveState()
    width, height = A4
    canvas.setFont(BOLD, 9)
    for index, line in enumerate(lines):
        canvas.drawRightString(width - 15 * mm, height - 12 * mm - index * 4.2 * mm, line)
    canvas.setFont(REGULAR, 7.5)
    canvas.drawString(15 * mm, 10 * mm, footer)
    canvas.drawRightString(width - 15 * mm, 10 * mm, f"page {page}")
    canvas.restoreState()


def _header(event: Version) -> Any:
    ref = event.candidature
    lines = [
        f"N° de candidat : {ref.numero_candidat}",
        f"N° d’inscription : {ref.numero_inscription}",
        f"Version : {event.version}",
    ]

    footer = f"{TITLE} – {ref.numero_inscription} – version {event.version}"

    def draw(canvas: Canvas, doc: BaseDocTemplate) -> None:
        draw_header_and_footer(canvas, lines, footer, doc.page)

    return draw


def render_confirmation(event: Version, stamp: Stamp | None = None) -> bytes:
    """The confirmation d'inscription of one version, as PDF bytes; with a `stamp`, its
    verification code and QR code at the bottom of page 1 (the text keeps clear of it)."""
    register_fonts()
    out = io.BytesIO()
    ref = event.candidature
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=28 * mm,
        bottomMargin=BOTTOM_MARGIN,
        title=f"{TITLE} – {ref.numero_inscription} – version {event.version}",
        author="CYCLADES",
        invariant=True,
        initialFontName=REGULAR,
    )
    header = _header(event)

    def first_page(canvas: Canvas, document: BaseDocTemplate) -> None:
        header(canvas, document)
        if stamp is not None:
            draw_stamp(canvas, stamp)

    first_bottom = STAMP_BOTTOM + STAMP_HEIGHT + 2 * mm if stamp is not None else BOTTOM_MARGIN
    doc.addPageTemplates(
        [
            PageTemplate(
                "first",
                [_frame(doc, first_bottom)],
                onPage=first_page,
                autoNextPageTemplate="later",
            ),
            PageTemplate("later", [_frame(doc, BOTTOM_MARGIN)], onPage=header),
        ]
    )
    doc.build(_story(event, _Styles()))
    return out.getvalue()


def _frame(doc: BaseDocTemplate, bottom: float) -> Frame:
    top = doc.pagesize[1] - doc.topMargin
    return Frame(doc.leftMargin, bottom, doc.width, top - bottom, id="body")


def render_payload(event_type: str, payload: dict[str, Any], stamp: Stamp | None = None) -> bytes:
    """For the process pool: the event as stored in the render job (picklable arguments)."""
    model = CandidatureModified if event_type == "CandidatureModified" else CandidatureCreated
    return render_confirmation(model.model_validate(payload), stamp)


def file_name(kind: str, numero_inscription: str, version: int | None) -> str:
    """A safe download name: ASCII letters, digits and dashes only, whatever the data holds."""

    def safe(text: str) -> str:
        return "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-" for c in text)

    suffix = "" if version is None else f"-v{version}"
    return f"{safe(kind.replace('_', '-'))}-{safe(numero_inscription)}{suffix}.pdf"
