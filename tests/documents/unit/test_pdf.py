"""An upload (a gestionnaire's document, a formulaire) is a PDF by its content
(`domain/pdf.py` over `shared.content`): executables renamed .pdf, truncated, polyglot,
encrypted, empty, unreadable or page-less files are refused, each with its code. A
gestionnaire's upload gets the verification stamp on its first page as the reader sees it, or
is refused when the page cannot hold it."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject

from documents.domain.confirmation import render_confirmation
from documents.domain.errors import PdfRefused
from documents.domain.pdf import MAX_PAGES, checked_and_stamped, checked_pages, stamped
from documents.domain.stamp import Stamp, stamp_box
from documents.domain.verification import display_code
from shared.testing import factories


def a_pdf() -> bytes:
    return render_confirmation(factories.candidature_created())


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    return written(writer)


def encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(a_pdf()))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    return written(writer)


def code_of(data: bytes) -> str:
    with pytest.raises(PdfRefused) as refused:
        checked_pages(data)
    assert refused.value.detail  # a reason a person can read
    return refused.value.code


def test_a_pdf_is_accepted_with_its_page_count(tmp_path: Path) -> None:
    assert checked_pages(a_pdf()) == 1
    assert checked_pages(io.BytesIO(blank(3))) == 3
    path = tmp_path / "upload"
    path.write_bytes(blank(2))
    assert checked_pages(path) == 2


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100, "executable"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "executable"),
        (b"\xcf\xfa\xed\xfe" + b"\x00" * 100, "executable"),
        (b"#!/bin/sh\nrm -rf /\n", "executable"),
        (b"GIF89a not a pdf", "unsupported-format"),
        (b"<html><body>%PDF-1.7</body></html>", "unsupported-format"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "unsupported-format"),  # an image: not here
        (b"%PDF-1.7\nthis is no pdf at all\n%%EOF\n", "unreadable"),
    ],
    ids=["empty", "windows", "elf", "mach-o", "script", "gif", "html", "png", "garbage"],
)
def test_what_is_not_a_pdf_is_refused_with_its_code(data: bytes, code: str) -> None:
    assert code_of(data) == code


def test_a_truncated_pdf_is_refused() -> None:
    pdf = a_pdf()
    assert code_of(pdf[: len(pdf) // 2]) == "truncated"
    assert code_of(pdf[:-10]) == "truncated"
    # Cut, then given an end marker: the parse still finds it broken.
    assert code_of(pdf[: len(pdf) // 2] + b"\n%%EOF\n") == "unreadable"


def test_a_pdf_followed_by_another_file_is_refused() -> None:
    assert code_of(a_pdf() + b"PK\x03\x04" + b"\x00" * 40) == "trailing-data"


@pytest.mark.parametrize("user_password", ["secret", ""])
def test_an_encrypted_pdf_is_refused(user_password: str) -> None:
    assert code_of(encrypted_pdf(user_password)) == "encrypted"


def test_a_pdf_without_pages_is_refused() -> None:
    assert code_of(written(PdfWriter())) == "no-pages"


def test_a_pdf_over_the_page_limit_is_refused() -> None:
    assert checked_pages(blank(MAX_PAGES)) == MAX_PAGES
    assert code_of(blank(MAX_PAGES + 1)) == "too-many-pages"


def text_of(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


STAMP = Stamp("ABCD2345EFGH", "token " * 50)


def page(width: float, height: float, *, rotation: int = 0, origin: float = 0) -> bytes:
    writer = PdfWriter()
    added = writer.add_blank_page(width=width, height=height)
    if origin:
        added.mediabox = RectangleObject((origin, origin, origin + width, origin + height))
    if rotation:
        added.rotate(rotation)
    return written(writer)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize(
    "original",
    [page(595, 842), page(842, 595), page(595, 842, rotation=90), page(595, 842, origin=100)],
    ids=["a4", "landscape", "rotated", "offset"],
)
def test_a_stamped_pdf_shows_its_code_on_page_one_and_keeps_its_pages(original: bytes) -> None:
    two_pages = PdfWriter(clone_from=io.BytesIO(original))
    two_pages.add_blank_page()
    pdf = stamped(written(two_pages), STAMP)
    assert checked_pages(pdf) == 2
    reader = PdfReader(io.BytesIO(pdf))
    assert display_code(STAMP.code) in " ".join(reader.pages[0].extract_text().split())
    assert display_code(STAMP.code) not in reader.pages[1].extract_text()
    assert display_code(STAMP.code) in text_of(pdf)


@pytest.mark.parametrize(("width", "height"), [(200, 842), (595, 100)])
def test_a_page_too_small_for_the_stamp_is_refused(width: int, height: int) -> None:
    with pytest.raises(PdfRefused) as refused:
        stamped(page(width, height), STAMP)
    assert refused.value.code == "page-too-small"
    _, _, right, top = stamp_box()
    assert checked_and_stamped(page(right + 1, top + 1), STAMP)  # just large enough
