"""Is an uploaded file an acceptable PDF? A pure check of its bytes (no I/O beyond the file
object it is given), for the formulaires an administrateur adds and, later, the documents a
gestionnaire uploads.

In order, each failure an `InvalidPdf` with a reason the uploader can act on:
1. not empty;
2. it starts with the PDF header `%PDF-1.x` / `%PDF-2.x` (an executable, an image, a text
   renamed `.pdf` stop here, whatever their name or declared type);
3. it ends with `%%EOF` (within the last KiB, where writers put it): a truncated upload;
4. pypdf parses it and every page's dictionary (what its repairs cannot mend is refused), it
   has at least one page, and it is not encrypted (a form nobody
   can open without a password, or whose restrictions we cannot honour, is not offered).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import BinaryIO, Final

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from documents.domain.errors import InvalidPdf

HEADER: Final = re.compile(rb"%PDF-[12]\.[0-9]")
TAIL_BYTES: Final = 1024
MAX_PAGES: Final = 500


@dataclass(frozen=True)
class PdfInfo:
    pages: int


def check_pdf(file: BinaryIO) -> PdfInfo:
    """`file` positioned anywhere; it is read from the start and left at an unknown place."""
    file.seek(0, 2)
    size = file.tell()
    if size == 0:
        raise InvalidPdf("The file is empty")
    file.seek(0)
    if not HEADER.match(file.read(8)):
        raise InvalidPdf("The file is not a PDF (it does not start with %PDF-)")
    file.seek(max(size - TAIL_BYTES, 0))
    if b"%%EOF" not in file.read():
        raise InvalidPdf("The PDF is truncated (no %%EOF at its end)")
    file.seek(0)
    return PdfInfo(pages=_parsed_pages(file))


def _parsed_pages(file: BinaryIO) -> int:
    try:
        # Not strict: real forms often have small defects (an xref offset off by a few bytes)
        # that readers repair; what cannot be repaired still raises.
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted:
            raise InvalidPdf("The PDF is encrypted or password-protected")
        pages = len(reader.pages)
        for page in reader.pages[:MAX_PAGES]:
            page.mediabox  # noqa: B018 — parses each page's dictionary
    except InvalidPdf:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise InvalidPdf(f"The PDF cannot be read ({type(exc).__name__})") from None
    if pages == 0:
        raise InvalidPdf("The PDF has no page")
    if pages > MAX_PAGES:
        raise InvalidPdf(f"The PDF has more than {MAX_PAGES} pages")
    return pages
