"""Schemathesis hooks of the fuzz runs (`tests/fuzzing.py` names this module in
SCHEMATHESIS_HOOKS): bodies for the media types Schemathesis cannot generate by itself, and
request lines aiohttp answers before the app does."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

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


# aiohttp refuses a request line over 8190 bytes (`max_line_size`) with a text/plain 400 of its
# own, before any middleware (where a gateway would answer 414): every route of every service
# would. The fuzzer keeps its query strings and paths well below that.
MAX_ENCODED = 3000


def _encoded_length(values: dict[str, Any] | None) -> int:
    return sum(len(quote(str(k))) + len(quote(str(v))) + 2 for k, v in (values or {}).items())


@schemathesis.hook
def filter_query(ctx: Any, query: dict[str, Any] | None) -> bool:
    return _encoded_length(query) <= MAX_ENCODED


@schemathesis.hook
def filter_path_parameters(ctx: Any, path_parameters: dict[str, Any] | None) -> bool:
    return _encoded_length(path_parameters) <= MAX_ENCODED
