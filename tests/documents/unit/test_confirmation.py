"""The confirmation d'inscription: its text is extractable (numbers, version, every épreuve
line), markup in the data is printed literally, and page 1 is not blank."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from documents.domain.confirmation import SIGNATURE, file_name, local_instant, render_confirmation
from shared.events.catalogue import EpreuveInscrite
from shared.testing import factories

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) is not installed",
)


def text_of(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "confirmation.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return " ".join(done.stdout.split())  # one line: table cells wrap


def epreuves() -> list[EpreuveInscrite]:
    return [
        EpreuveInscrite(
            code=f"U{n}",
            libelle=f"Épreuve n° {n} – l’oral",
            nature="obligatoire",
            position="Inscrit",
            mode="Ponctuel" if n % 2 else "CCF",
        )
        for n in range(1, 9)
    ]


def test_the_numbers_the_version_and_every_epreuve_line_are_extractable(tmp_path: Path) -> None:
    event = factories.candidature_modified(
        version=3, recapitulatif=factories.recapitulatif(epreuves=epreuves())
    )
    text = text_of(render_confirmation(event), tmp_path)
    ref = event.candidature
    assert f"N° de candidat : {ref.numero_candidat}" in text
    assert f"N° d’inscription : {ref.numero_inscription}" in text
    assert "Version : 3" in text
    for epreuve in event.recapitulatif.epreuves:
        line = (
            f"{epreuve.code} {epreuve.libelle} {epreuve.nature} {epreuve.position} {epreuve.mode}"
        )
        assert line in text
    assert ref.service_gestionnaire is not None
    assert ref.service_gestionnaire.email in text
    assert event.recapitulatif.identite.nom_naissance in text
    assert SIGNATURE in text


def test_the_closing_instant_is_in_the_academie_time_zone() -> None:
    closes = datetime(2027, 1, 15, 22, 59, tzinfo=UTC)
    assert local_instant(closes, "Europe/Paris") == "15 janvier 2027 à 23\u00a0h\u00a059"
    assert local_instant(closes, "Indian/Reunion") == "16 janvier 2027 à 2\u00a0h\u00a059"


def test_markup_and_long_accented_names_are_printed_literally(tmp_path: Path) -> None:
    nom = "<b>O’Brien & d'Aubigné</b> #set \\ <font size=40>é</font>" + "é" * 140
    identite = factories.identite(nom_naissance=nom)
    event = factories.candidature_created(recapitulatif=factories.recapitulatif(identite=identite))
    text = text_of(render_confirmation(event), tmp_path)
    assert "<b>O’Brien & d'Aubigné</b> #set \\ <font size=40>é</font>" in text


def test_page_one_is_not_blank(tmp_path: Path) -> None:
    path = tmp_path / "confirmation.pdf"
    path.write_bytes(render_confirmation(factories.candidature_created()))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    gray = subprocess.run(
        ["pdftoppm", "-gray", "-r", "50", "-f", "1", "-l", "1", str(path)],
        check=True,
        capture_output=True,
    ).stdout
    pixels = gray[gray.index(b"255\n") + 4 :]  # PGM: header, then one byte a pixel
    dark = sum(1 for value in pixels if value < 128)
    assert png.stat().st_size > 1000
    assert dark > 0.005 * len(pixels)


def test_the_same_version_renders_the_same_bytes() -> None:
    event = factories.candidature_created()
    assert render_confirmation(event) == render_confirmation(event)


def test_the_file_name_is_safe() -> None:
    name = file_name("confirmation_inscription", 'BES/2027 "x"\r\né', 2)
    assert name == "confirmation-inscription-BES-2027--x-----v2.pdf"
    assert file_name("autre", "BES-1", None) == "autre-BES-1.pdf"
