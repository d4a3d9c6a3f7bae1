"""An uploaded file is a PDF by its content: executables renamed .pdf, truncated, encrypted,
empty or unreadable files are refused, each with its reason."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter

from documents.domain.errors import PdfRefused
from documents.domain.pdf_upload import check_pdf
from documents.domain.stamp import Stamp
from documents.domain.templates import Convocation, EpreuveConvoquee, render_template
from shared.testing import factories


def a_pdf() -> bytes:
    convocation = Convocation(
        template="convocation",
        epreuves=[EpreuveConvoquee(code="E1", jour="2027-05-12", heure="08:30", lieu="Lycée")],
    )
    return render_template(
        convocation, factories.candidature_created(), Stamp("CODE", ""), factories.utc_now()
    )


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(a_pdf()))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    return written(writer)


def no_pages() -> bytes:
    return written(PdfWriter())


def reason_of(data: bytes) -> str:
    with pytest.raises(PdfRefused) as refused:
        check_pdf(data)
    return refused.value.reason


def test_a_whole_pdf_is_accepted() -> None:
    check_pdf(a_pdf())


def test_a_pdf_written_by_pypdf_is_accepted() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    check_pdf(written(writer))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100, "executable"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "executable"),
        (b"\xcf\xfa\xed\xfe" + b"\x00" * 100, "executable"),
        (b"#!/bin/sh\nrm -rf /\n", "executable"),
        (b"GIF89a not a pdf", "not-a-pdf"),
        (b"%PDF-1.7\nthis is no pdf at all\n%%EOF\n", "unreadable"),
    ],
    ids=["empty", "windows", "elf", "mach-o", "script", "gif", "garbage"],
)
def test_what_is_not_a_pdf_is_refused_with_its_reason(data: bytes, reason: str) -> None:
    assert reason_of(data) == reason


def test_a_truncated_pdf_is_refused() -> None:
    pdf = a_pdf()
    assert reason_of(pdf[: len(pdf) // 2]) == "truncated"
    assert reason_of(pdf[:-10]) == "truncated"


def test_an_encrypted_pdf_is_refused() -> None:
    assert reason_of(encrypted()) == "encrypted"


def test_a_pdf_without_pages_is_refused() -> None:
    assert reason_of(no_pages()) == "no-pages"
