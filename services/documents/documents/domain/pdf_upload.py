"""Is an uploaded file a PDF a candidate can open? Checked on its content, never its name.

Pure: bytes in, nothing out, `PdfRefused` (with a reason the answer names) when it is not:
empty; an executable (Windows PE, ELF, Mach-O, a script) renamed `.pdf`; no `%PDF-` header;
truncated (no `%%EOF` in its last KiB: pypdf would rebuild a cut file's cross-references and
open it); encrypted (the candidate would need a password we do not have); unreadable by pypdf;
no page. The size limit is the caller's (it is enforced while the body is read).
"""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from documents.domain.errors import PdfRefused

MAGIC = b"%PDF-"
# PDF 1.7 (ISO 32000-1, 7.5.5): the end-of-file marker is within the last bytes of the file.
EOF_MARKER = b"%%EOF"
TAIL = 1024
EXECUTABLES = (
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "an ELF executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O executable"),
    (b"#!", "a script"),
)


def check_pdf(data: bytes) -> None:
    """Raise `PdfRefused` unless `data` is a whole, unencrypted PDF with at least one page."""
    if not data:
        raise PdfRefused("empty", "The file is empty")
    for magic, what in EXECUTABLES:
        if data.startswith(magic):
            raise PdfRefused("executable", f"The file is {what}, not a PDF")
    if not data.startswith(MAGIC):
        raise PdfRefused("not-a-pdf", "The file does not start with %PDF-: it is not a PDF")
    if EOF_MARKER not in data[-TAIL:]:
        raise PdfRefused("truncated", "The file has no %%EOF marker at its end: it is cut short")
    reader = _reader(data)
    if reader.is_encrypted:
        raise PdfRefused("encrypted", "The PDF is encrypted: candidates could not open it")
    _pages(reader)


def _reader(data: bytes) -> PdfReader:
    try:
        return PdfReader(io.BytesIO(data), strict=False)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise PdfRefused("unreadable", f"The PDF cannot be read: {type(exc).__name__}") from None


def _pages(reader: PdfReader) -> None:
    try:
        count = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise PdfRefused("unreadable", f"The PDF cannot be read: {type(exc).__name__}") from None
    if count == 0:
        raise PdfRefused("no-pages", "The PDF has no page")


# pypdf logs a warning for every oddity it tolerates in a damaged file: the refusal says enough.
logging.getLogger("pypdf").setLevel(logging.ERROR)
