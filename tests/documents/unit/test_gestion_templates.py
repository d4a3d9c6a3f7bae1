"""Documents generated from a template: the candidature's numbers and the variable parts are
extractable, markup in any field is printed literally, long accented names wrap, and the
parts that do not fit the candidature are refused."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from documents.domain.errors import TemplateRefused
from documents.domain.stamp import Stamp
from documents.domain.templates import (
    TEMPLATE,
    AnyTemplate,
    Convocation,
    check,
    convoked,
    french_date,
    kind_of,
    render_generation,
    render_template,
    title_of,
)
from documents.domain.verification import display_code, verification_code
from shared.events.catalogue import CandidatureCreated, DocumentKind, EpreuveInscrite
from shared.testing import factories

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) is not installed",
)

CODE = verification_code()
AT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
MARKUP = "<b>gras</b> &amp; <para>x</para> <font color='red'>#1</font> \\n \\\\ ]]> ${x} #set"


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return " ".join(done.stdout.split())


def epreuves() -> list[EpreuveInscrite]:
    def line(code: str, libelle: str, position: str = "Inscrit") -> EpreuveInscrite:
        return EpreuveInscrite(
            code=code, libelle=libelle, nature="obligatoire", position=position, mode="Ponctuel"
        )

    return [
        line("E1", "Culture générale et expression"),
        line("E2-A", "Langue vivante 1 : écrite"),
        line("E3", "Gestion de la relation client"),
        line("EF2", "Certification professionnelle", "Non inscrit"),
    ]


def version(**identite: Any) -> CandidatureCreated:
    recap = factories.recapitulatif(epreuves=epreuves(), identite=factories.identite(**identite))
    return factories.candidature_created(recapitulatif=recap)


def template(data: dict[str, Any]) -> AnyTemplate:
    return TEMPLATE.validate_python(data)


def render(data: dict[str, Any], event: CandidatureCreated | None = None) -> bytes:
    return render_template(template(data), event or version(), Stamp(CODE, ""), AT)


CONVOCATION = {
    "template": "convocation",
    "epreuves": [
        {"code": "E1", "jour": "2027-05-12", "heure": "08:30", "lieu": "Lycée Victor-Hugo"},
        {"code": "E3", "jour": "2027-06-01", "heure": "14:00", "lieu": "Salle B", "duree": "4 h"},
    ],
}


def test_a_convocation_lists_date_time_and_place_per_epreuve(tmp_path: Path) -> None:
    event = version()
    text = text_of(render(CONVOCATION, event), tmp_path)
    ref = event.candidature
    assert f"N° de candidat : {ref.numero_candidat}" in text
    assert f"N° d’inscription : {ref.numero_inscription}" in text
    assert "Convocation aux épreuves" in text
    assert "E1 Culture générale et 12 mai 2027 8 h 30 Lycée Victor-Hugo" in text
    assert "E3 Gestion de la relation client 1er juin 2027 14 h 00 (4 h) Salle B" in text
    assert f"Code : {display_code(CODE)}" in text
    assert "Le 1er mars 2027" in text


def test_every_template_renders_its_variable_parts(tmp_path: Path) -> None:
    pieces = [{"libelle": "Pièce d’identité"}, {"libelle": "Diplôme", "precision": "copie"}]
    cases: list[tuple[dict[str, Any], list[str]]] = [
        (
            {"template": "demande_pieces", "pieces": pieces, "date_limite": "2027-01-15"},
            [
                "Demande de pièces justificatives",
                "– Pièce d’identité",
                "– Diplôme (copie)",
                "Date limite de dépôt : 15 janvier 2027",
                "« Mes justificatifs »",
            ],
        ),
        (
            {
                "template": "relance_pieces",
                "pieces": pieces,
                "date_limite": "2027-02-01",
                "premiere_demande_le": "2026-12-01",
            },
            [
                "Relance de pièces justificatives",
                "depuis notre demande du 1er décembre 2026",
                "Date limite de dépôt : 1er février 2027",
            ],
        ),
        (
            {
                "template": "notification_amenagement",
                "decision_le": "2027-02-03",
                "mesures": ["Majoration d’un tiers du temps", "Secrétaire"],
                "epreuves": ["E1"],
            },
            [
                "Notification de mesures d’aménagement",
                "le 3 février 2027",
                "– Majoration d’un tiers du temps",
                "– Secrétaire",
                "– E1 – Culture générale et expression",
            ],
        ),
        (
            {
                "template": "releve_notes",
                "resultat": "Admis",
                "notes": [
                    {"code": "E1", "note": "12.5"},
                    {"code": "E3", "note": 9},
                    {"code": "E2-A", "absent": True},
                ],
            },
            [
                "Relevé de notes",
                "E1 Culture générale et expression 12,5 / 20",
                "E3 Gestion de la relation client 9 / 20",
                "E2-A Langue vivante 1 : écrite Absent(e)",
                "Résultat : Admis",
            ],
        ),
    ]
    for data, expected in cases:
        text = text_of(render(data), tmp_path)
        for fragment in expected:
            assert fragment in text, (data["template"], fragment)


def test_markup_in_every_field_is_printed_literally(tmp_path: Path) -> None:
    data = {
        "template": "convocation",
        "title": f"Convocation {MARKUP}",
        "epreuves": [{"code": "E1", "jour": "2027-05-12", "heure": "08:30", "lieu": MARKUP}],
        "consignes": MARKUP,
    }
    event = version(nom_naissance=f"Dupont {MARKUP}", prenoms="<i>Zoé</i> & \\Léa#")
    text = text_of(render(data, event), tmp_path)
    assert text.count(MARKUP) >= 2  # the title, the consignes (the lieu wraps in its cell)
    assert "<i>Zoé</i> & \\Léa#" in text


def test_a_200_character_accented_name_wraps_and_is_all_there(tmp_path: Path) -> None:
    nom = ("Lefèvre-d’Aubigné de la Tour-d’Auvergne " * 6)[:200]
    assert len(nom) == 200
    event = version(nom_naissance=nom, prenoms="Éloïse-Anaïs")
    pdf = render({**CONVOCATION, "title": nom}, event)
    text = text_of(pdf, tmp_path)
    squeezed = "".join(text.split())
    assert "".join(nom.split()) in squeezed
    assert "Éloïse-Anaïs" in text


def test_page_one_is_not_blank(tmp_path: Path) -> None:
    (tmp_path / "d.pdf").write_bytes(render(CONVOCATION))
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "40",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "d.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    assert png.stat().st_size > 1000


def test_the_same_arguments_render_the_same_bytes() -> None:
    assert render(CONVOCATION) != b""
    event = version()
    assert render(CONVOCATION, event) == render(CONVOCATION, event)


def test_the_pool_entry_point_takes_json() -> None:
    event = version()
    pdf = render_generation(
        template(CONVOCATION).model_dump(mode="json"),
        event.model_dump(mode="json"),
        Stamp("C", ""),
        AT,
    )
    assert pdf.startswith(b"%PDF-")


def test_kinds_and_default_titles() -> None:
    assert kind_of(template(CONVOCATION)) is DocumentKind.CONVOCATION
    assert title_of(template(CONVOCATION)) == "Convocation aux épreuves"
    assert title_of(template({**CONVOCATION, "title": "  Convocation n° 2 "})) == "Convocation n° 2"
    assert french_date(date(2027, 5, 1)) == "1er mai 2027"


def test_a_convocation_to_an_epreuve_not_registered_is_refused_for_one_candidature() -> None:
    data = {
        **CONVOCATION,
        "epreuves": [
            *CONVOCATION["epreuves"],
            {"code": "EF2", "jour": "2027-06-02", "heure": "09:00", "lieu": "Salle C"},
        ],
    }
    with pytest.raises(TemplateRefused) as refused:
        check(template(data), version(), strict=True)
    assert refused.value.field == "epreuves.2.code"
    # A batch prints the épreuves each candidature has.
    convocation = template(data)
    assert isinstance(convocation, Convocation)
    lines = convoked(convocation, version(), strict=False)
    assert [epreuve.code for epreuve, _ in lines] == ["E1", "E3"]


def test_a_convocation_to_none_of_its_epreuves_is_refused_even_in_a_batch() -> None:
    data = {
        "template": "convocation",
        "epreuves": [{"code": "E9", "jour": "2027-06-02", "heure": "09:00", "lieu": "S"}],
    }
    with pytest.raises(TemplateRefused):
        check(template(data), version(), strict=False)


def test_marks_and_amenagements_name_epreuves_of_the_candidature() -> None:
    with pytest.raises(TemplateRefused) as refused:
        check(
            template({"template": "releve_notes", "notes": [{"code": "X", "note": 3}]}), version()
        )
    assert refused.value.field == "notes.0.code"
    with pytest.raises(TemplateRefused):
        check(
            template(
                {
                    "template": "notification_amenagement",
                    "decision_le": "2027-01-01",
                    "mesures": ["Tiers temps"],
                    "epreuves": ["X"],
                }
            ),
            version(),
        )


@pytest.mark.parametrize(
    "note",
    [
        {"code": "E1"},
        {"code": "E1", "note": 12, "absent": True},
        {"code": "E1", "note": 21},
        {"code": "E1", "note": "12.345"},
        {"code": "E1", "note": -1},
    ],
)
def test_a_mark_is_between_0_and_20_or_absent(note: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        template({"template": "releve_notes", "notes": [note]})


def test_unknown_fields_and_templates_are_refused() -> None:
    with pytest.raises(ValidationError):
        template({**CONVOCATION, "extra": 1})
    with pytest.raises(ValidationError):
        template({"template": "bulletin"})
