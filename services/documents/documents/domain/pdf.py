"""An uploaded PDF (a gestionnaire's document, an administrateur's formulaire) is accepted by
its content alone, with the platform's one check (`shared.content`): a refusal becomes
`PdfRefused` with the check's machine code and its reason.

Pure and synchronous (parsing is CPU work): call it in a thread.
"""

from __future__ import annotations

from typing import Final

from documents.domain.errors import PdfRefused
from shared.content import PDF, ContentRefused, Source, check_content

# A form or a document for one candidate: more pages is a mistake (or an attack on the parser).
MAX_PAGES: Final = 500


def checked_pages(source: Source) -> int:
    """The page count of `source` (a path, bytes or a seekable file); `PdfRefused` unless it is
    a whole, unencrypted PDF of 1 to `MAX_PAGES` pages and nothing else."""
    try:
        content = check_content(source, (PDF,), max_pages=MAX_PAGES)
    except ContentRefused as refused:
        raise PdfRefused(refused.code, refused.reason) from None
    assert content.pages is not None  # a PDF's is counted
    return content.pages
