"""Schemathesis hooks of the fuzz runs (`tests/fuzzing.py` names this module in
SCHEMATHESIS_HOOKS): bodies for the media types Schemathesis cannot generate by itself."""

from __future__ import annotations

import io

import schemathesis
from hypothesis import strategies as st
from pypdf import PdfWriter


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# A gestionnaire's upload (documents): whole PDFs, PDF-looking garbage, and any bytes.
schemathesis.openapi.media_type(
    "application/pdf",
    st.one_of(
        st.just(_blank_pdf()),
        st.binary(max_size=512).map(lambda tail: b"%PDF-1.7\n" + tail),
        st.binary(max_size=2048),
    ),
)
