"""An upload is accepted as a PDF only by its content: not empty, the PDF header, not
truncated, parsed by pypdf, not encrypted."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter

from documents.domain.confirmation import render_confirmation
from documents.domain.errors import InvalidPdf
from documents.domain.pdf_check import check_pdf
from shared.testing import factories


def a_pdf() -> bytes:
    return render_confirmation(factories.candidature_created())


def encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password, "owner-password")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_is_accepted_with_its_page_count() -> None:
    assert check_pdf(io.BytesIO(a_pdf())).pages == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00\x03" + bytes(200), "not a PDF"),  # a Windows executable
        (b"\x7fELF\x02\x01\x01" + bytes(200), "not a PDF"),
        (b"<html><body>%PDF-1.7</body></html>", "not a PDF"),
        (b"%PDF-1.4\nnothing here\n%%EOF\n", "cannot be read"),
    ],
)
def test_what_is_not_a_pdf_is_refused(content: bytes, reason: str) -> None:
    with pytest.raises(InvalidPdf, match=reason):
        check_pdf(io.BytesIO(content))


def test_a_truncated_pdf_is_refused() -> None:
    pdf = a_pdf()
    with pytest.raises(InvalidPdf, match="truncated"):
        check_pdf(io.BytesIO(pdf[: len(pdf) // 2]))
    # Cut, then given an end marker: the parse still finds it broken.
    with pytest.raises(InvalidPdf, match="cannot be read"):
        check_pdf(io.BytesIO(pdf[: len(pdf) // 2] + b"\n%%EOF\n"))


@pytest.mark.parametrize("user_password", ["secret", ""])
def test_an_encrypted_pdf_is_refused(user_password: str) -> None:
    with pytest.raises(InvalidPdf, match="encrypted"):
        check_pdf(io.BytesIO(encrypted_pdf(user_password)))
