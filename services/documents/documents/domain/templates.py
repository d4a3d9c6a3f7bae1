"""Documents a gestionnaire generates from a template with a candidature's data: demande and
relance de pièces, notification de mesures d'aménagement, convocation, relevé de notes.

A template's request holds only its variable parts (the pièces asked, the épreuves' dates and
places, the marks…); the candidate's identity, numbers and épreuves come from the latest
version the service recorded (`candidature_snapshots`). Rendering is a pure function, like the
confirmation's (same fonts, styles and escaping, `domain/confirmation.py`), run in the
generation worker's process pool: A4, embedded font, extractable text, every value escaped so
that markup in a field (`<b>`, `&`, `<para>`) is printed, never interpreted. Each page carries
the verification stamp (`domain/stamp.py`).

Health data: a notification de mesures d'aménagement states the measures; they live in the
batch's parameters and the PDF only, are never logged, never in an event.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, model_validator
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
)
from reportlab.platypus.flowables import Flowable

from documents.domain.confirmation import GRID, MONTHS, _Styles, _text, draw_header_and_footer
from documents.domain.errors import TemplateRefused
from documents.domain.fonts import REGULAR, register_fonts
from documents.domain.stamp import Stamp, draw_stamp
from shared.events.catalogue import (
    CandidatureCreated,
    CandidatureModified,
    DocumentKind,
    EpreuveInscrite,
)

Version = CandidatureCreated | CandidatureModified
NBSP = "\u00a0"


class TemplateName(StrEnum):
    DEMANDE_PIECES = "demande_pieces"
    RELANCE_PIECES = "relance_pieces"
    NOTIFICATION_AMENAGEMENT = "notification_amenagement"
    CONVOCATION = "convocation"
    RELEVE_NOTES = "releve_notes"


KINDS = {
    TemplateName.DEMANDE_PIECES: DocumentKind.DEMANDE_PIECES,
    TemplateName.RELANCE_PIECES: DocumentKind.RELANCE_PIECES,
    TemplateName.NOTIFICATION_AMENAGEMENT: DocumentKind.NOTIFICATION_AMENAGEMENT,
    TemplateName.CONVOCATION: DocumentKind.CONVOCATION,
    TemplateName.RELEVE_NOTES: DocumentKind.RELEVE_DE_NOTES,
}
LABELS = {
    TemplateName.DEMANDE_PIECES: "Demande de pièces justificatives",
    TemplateName.RELANCE_PIECES: "Relance de pièces justificatives",
    TemplateName.NOTIFICATION_AMENAGEMENT: "Notification de mesures d’aménagement",
    TemplateName.CONVOCATION: "Convocation aux épreuves",
    TemplateName.RELEVE_NOTES: "Relevé de notes",
}

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Piece(_Model):
    libelle: Line
    precision: Line | None = None


class _Pieces(_Model):
    title: Title | None = None
    pieces: list[Piece] = Field(min_length=1, max_length=30)
    date_limite: date
    message: Text | None = None


class DemandePieces(_Pieces):
    template: Literal["demande_pieces"]


class RelancePieces(_Pieces):
    template: Literal["relance_pieces"]
    premiere_demande_le: date | None = None


class NotificationAmenagement(_Model):
    template: Literal["notification_amenagement"]
    title: Title | None = None
    decision_le: date
    mesures: list[Line] = Field(min_length=1, max_length=20)
    # The épreuves the measures apply to (codes of the candidature's); none: all of them.
    epreuves: list[Code] = Field(default_factory=list, max_length=40)
    message: Text | None = None


class EpreuveConvoquee(_Model):
    code: Code
    jour: date
    heure: time
    lieu: Line
    duree: Line | None = None


class Convocation(_Model):
    template: Literal["convocation"]
    title: Title | None = None
    epreuves: list[EpreuveConvoquee] = Field(min_length=1, max_length=40)
    consignes: Text | None = None


class NoteEpreuve(_Model):
    code: Code
    note: Decimal | None = Field(default=None, ge=0, le=20, max_digits=4, decimal_places=2)
    absent: bool = False

    @model_validator(mode="after")
    def _a_mark_or_absent(self) -> NoteEpreuve:
        if (self.note is None) != self.absent:
            raise ValueError("give either a note or absent: true")
        return self


class ReleveNotes(_Model):
    template: Literal["releve_notes"]
    title: Title | None = None
    notes: list[NoteEpreuve] = Field(min_length=1, max_length=40)
    resultat: Line | None = None


AnyTemplate = DemandePieces | RelancePieces | NotificationAmenagement | Convocation | ReleveNotes
Template = Annotated[AnyTemplate, Field(discriminator="template")]
# A batch gives every candidature the same variable parts: marks and aménagement decisions
# are a candidate's own, so those two templates are generated one candidature at a time.
BatchTemplate = Annotated[
    DemandePieces | RelancePieces | Convocation, Field(discriminator="template")
]
TEMPLATE: TypeAdapter[AnyTemplate] = TypeAdapter(Template)


def kind_of(template: AnyTemplate) -> DocumentKind:
    return KINDS[TemplateName(template.template)]


def title_of(template: AnyTemplate) -> str:
    return template.title or LABELS[TemplateName(template.template)]


def version_of(payload: dict[str, Any]) -> Version:
    """A recorded version (Created and Modified carry the same fields)."""
    return CandidatureCreated.model_validate(payload)


# --- checks against the candidature ----------------------------------------------------------


def registered(epreuve: EpreuveInscrite) -> bool:
    return epreuve.position.strip().lower() == "inscrit"


def convoked(
    convocation: Convocation, version: Version, *, strict: bool
) -> list[tuple[EpreuveInscrite, EpreuveConvoquee]]:
    """The candidature's registered épreuves the convocation names. One candidature (strict):
    an épreuve it is not registered for is refused. A batch prints the ones it has."""
    mine = {e.code: e for e in version.recapitulatif.epreuves if registered(e)}
    lines = []
    for index, convoquee in enumerate(convocation.epreuves):
        if convoquee.code in mine:
            lines.append((mine[convoquee.code], convoquee))
        elif strict:
            raise TemplateRefused(
                f"epreuves.{index}.code",
                f"La candidature n’est pas inscrite à l’épreuve {convoquee.code}",
            )
    if not lines:
        raise TemplateRefused("epreuves", "La candidature n’est inscrite à aucune de ces épreuves")
    return lines


def _known(codes: list[str], version: Version, field: str) -> dict[str, EpreuveInscrite]:
    mine = {e.code: e for e in version.recapitulatif.epreuves}
    for index, code in enumerate(codes):
        if code not in mine:
            raise TemplateRefused(
                f"{field}.{index}.code" if field == "notes" else f"{field}.{index}",
                f"La candidature n’a pas d’épreuve {code}",
            )
    return mine


def check(template: AnyTemplate, version: Version, *, strict: bool = True) -> None:
    """Raise `TemplateRefused` when the variable parts do not fit the candidature."""
    if isinstance(template, Convocation):
        convoked(template, version, strict=strict)
    elif isinstance(template, ReleveNotes):
        _known([note.code for note in template.notes], version, "notes")
    elif isinstance(template, NotificationAmenagement):
        _known(template.epreuves, version, "epreuves")


# --- rendering -------------------------------------------------------------------------------


def french_date(day: date) -> str:
    """`1er mai 2027`."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def french_time(at: time) -> str:
    """`8 h 30`, unbreakable."""
    return f"{at.hour}{NBSP}h{NBSP}{at.minute:02d}"


def _p(value: object, style: Any) -> Paragraph:
    return Paragraph(_text(value), style)


def _bullets(lines: list[str], styles: _Styles) -> ListFlowable:
    items = [ListItem(_p(line, styles.body), leftIndent=5 * mm) for line in lines]
    return ListFlowable(
        items, bulletType="bullet", start="–", leftIndent=5 * mm, bulletFontName=REGULAR
    )


def _grid(head: list[str], rows: list[list[str]], widths: list[float], styles: _Styles) -> Table:
    data: list[list[Any]] = [[Paragraph(label, styles.cell_head) for label in head]]
    data += [[_p(value, styles.cell) for value in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(GRID)
    return table


def _libelle(epreuve: EpreuveInscrite) -> str:
    return f"{epreuve.libelle} – {epreuve.intitule}" if epreuve.intitule else epreuve.libelle


def _addressee(version: Version) -> list[str]:
    identite = version.recapitulatif.identite
    civilite = "Madame" if identite.civilite == "MME" else "Monsieur"
    nom = identite.nom_usage or identite.nom_naissance
    adresse = identite.adresse
    lines = [
        f"{civilite} {identite.prenoms} {nom}",
        adresse.ligne1,
        adresse.ligne2,
        f"{adresse.code_postal} {adresse.commune}",
        adresse.pays,
    ]
    return [line for line in lines if line]


def _sender(version: Version) -> list[str]:
    ref = version.candidature
    if ref.service_gestionnaire is None:
        return [f"Académie de {ref.academie.libelle}", "Service des examens"]
    service = ref.service_gestionnaire
    return [service.libelle, *service.adresse, f"Courriel{NBSP}: {service.email}"]


def _pieces_body(template: _Pieces, styles: _Styles) -> list[Flowable]:
    lines = [
        f"{piece.libelle} ({piece.precision})" if piece.precision else piece.libelle
        for piece in template.pieces
    ]
    return [
        _bullets(lines, styles),
        Spacer(1, 2 * mm),
        _p(
            f"Date limite de dépôt{NBSP}: {french_date(template.date_limite)}. Déposez ces "
            "pièces dans l’espace « Mes justificatifs » du portail candidat.",
            styles.body,
        ),
    ]


def _demande(template: DemandePieces, version: Version, styles: _Styles) -> list[Flowable]:
    intro = "Pour compléter votre dossier d’inscription, vous devez fournir les pièces suivantes"
    return [_p(f"{intro}{NBSP}:", styles.body), *_pieces_body(template, styles)]


def _relance(template: RelancePieces, version: Version, styles: _Styles) -> list[Flowable]:
    first = template.premiere_demande_le
    since = f" depuis notre demande du {french_date(first)}" if first else ""
    intro = (
        f"Sauf erreur de notre part, nous n’avons pas reçu{since} les pièces suivantes, "
        "indispensables à votre inscription"
    )
    return [_p(f"{intro}{NBSP}:", styles.body), *_pieces_body(template, styles)]


def _amenagement(
    template: NotificationAmenagement, version: Version, styles: _Styles
) -> list[Flowable]:
    mine = {e.code: e for e in version.recapitulatif.epreuves}
    story: list[Flowable] = [
        _p(
            "Vu l’avis du médecin désigné par la CDAPH, le recteur a décidé, le "
            f"{french_date(template.decision_le)}, les mesures d’aménagement suivantes{NBSP}:",
            styles.body,
        ),
        _bullets(list(template.mesures), styles),
    ]
    if template.epreuves:
        story.append(_p(f"Elles s’appliquent aux épreuves{NBSP}:", styles.body))
        lines = [f"{code} – {_libelle(mine[code])}" for code in template.epreuves]
        story.append(_bullets(lines, styles))
    else:
        story.append(_p("Elles s’appliquent à toutes vos épreuves.", styles.body))
    return story


def _convocation(template: Convocation, version: Version, styles: _Styles) -> list[Flowable]:
    # Strictness was decided when the generation was accepted: a batch prints what it has.
    lines = convoked(template, version, strict=False)
    rows = [
        [
            epreuve.code,
            _libelle(epreuve),
            french_date(convoquee.jour),
            french_time(convoquee.heure) + (f" ({convoquee.duree})" if convoquee.duree else ""),
            convoquee.lieu,
        ]
        for epreuve, convoquee in lines
    ]
    head = ["Code", "Épreuve", "Date", "Heure", "Lieu"]
    widths = [16 * mm, 50 * mm, 30 * mm, 24 * mm, 50 * mm]
    story: list[Flowable] = [
        _p(f"Vous êtes convoqué(e) aux épreuves suivantes{NBSP}:", styles.body),
        Spacer(1, 2 * mm),
        _grid(head, rows, widths, styles),
        Spacer(1, 3 * mm),
        _p(
            "Présentez-vous trente minutes avant le début de chaque épreuve, muni(e) de cette "
            "convocation et d’une pièce d’identité en cours de validité avec photographie.",
            styles.body,
        ),
    ]
    if template.consignes:
        story.append(_p(template.consignes, styles.body))
    return story


def _mark(note: NoteEpreuve) -> str:
    if note.note is None:
        return "Absent(e)"
    return f"{note.note.normalize():f}".replace(".", ",") + f"{NBSP}/{NBSP}20"


def _releve(template: ReleveNotes, version: Version, styles: _Styles) -> list[Flowable]:
    mine = _known([note.code for note in template.notes], version, "notes")
    rows = [[note.code, _libelle(mine[note.code]), _mark(note)] for note in template.notes]
    story: list[Flowable] = [
        _p(f"Vos notes à la session {version.candidature.session}{NBSP}:", styles.body),
        Spacer(1, 2 * mm),
        _grid(["Code", "Épreuve", "Note"], rows, [20 * mm, 120 * mm, 30 * mm], styles),
    ]
    if template.resultat:
        story.append(Spacer(1, 3 * mm))
        story.append(_p(f"Résultat{NBSP}: {template.resultat}", styles.heading))
    return story


def _body(template: AnyTemplate, version: Version, styles: _Styles) -> list[Flowable]:
    if isinstance(template, DemandePieces):
        return _demande(template, version, styles)
    if isinstance(template, RelancePieces):
        return _relance(template, version, styles)
    if isinstance(template, NotificationAmenagement):
        return _amenagement(template, version, styles)
    if isinstance(template, Convocation):
        return _convocation(template, version, styles)
    return _releve(template, version, styles)


def _story(
    template: AnyTemplate, version: Version, published_at: datetime, styles: _Styles
) -> list[Flowable]:
    ref = version.candidature
    zone = ZoneInfo(ref.academie.fuseau_horaire)
    recipient = [_p(line, styles.body) for line in _addressee(version)]
    story: list[Flowable] = [_p(line, styles.small) for line in _sender(version)]
    story += [
        Spacer(1, 6 * mm),
        Table([["", recipient]], colWidths=[90 * mm, 80 * mm]),
        Spacer(1, 6 * mm),
        _p(f"Le {french_date(published_at.astimezone(zone).date())}", styles.right),
        Spacer(1, 4 * mm),
        _p(title_of(template), styles.title),
        _p(f"{ref.examen.libelle} – session {ref.session} – {ref.specialite_libelle}", styles.body),
        _p(f"Académie de {ref.academie.libelle}", styles.body),
        Spacer(1, 4 * mm),
        _p(f"{'Madame' if ref.civilite == 'MME' else 'Monsieur'},", styles.body),
        Spacer(1, 2 * mm),
    ]
    story += _body(template, version, styles)
    message = getattr(template, "message", None)
    if message:
        story += [Spacer(1, 2 * mm), _p(message, styles.body)]
    story += [Spacer(1, 8 * mm), _p("Le service gestionnaire des examens", styles.right)]
    return story


def _page(title: str, version: Version, stamp: Stamp) -> Any:
    ref = version.candidature
    lines = [
        f"N° de candidat{NBSP}: {ref.numero_candidat}",
        f"N° d’inscription{NBSP}: {ref.numero_inscription}",
    ]

    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        draw_header_and_footer(canvas, lines, f"{title} – {ref.numero_inscription}", doc.page)
        draw_stamp(canvas, stamp)

    return draw


def render_template(
    template: AnyTemplate, version: Version, stamp: Stamp, published_at: datetime
) -> bytes:
    """The document as PDF bytes (the same arguments give the same bytes)."""
    register_fonts()
    out = io.BytesIO()
    title = title_of(template)
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=24 * mm,
        bottomMargin=22 * mm,
        title=f"{title} – {version.candidature.numero_inscription}",
        author="CYCLADES",
        invariant=True,
        initialFontName=REGULAR,
    )
    page = _page(title, version, stamp)
    doc.build(
        _story(template, version, published_at, _Styles()), onFirstPage=page, onLaterPages=page
    )
    return out.getvalue()


def render_generation(
    params: dict[str, Any],
    payload: dict[str, Any],
    stamp: Stamp,
    published_at: datetime,
) -> bytes:
    """For the process pool: the batch's parameters and the candidature's recorded version as
    JSON (picklable)."""
    return render_template(
        TEMPLATE.validate_python(params), version_of(payload), stamp, published_at
    )
