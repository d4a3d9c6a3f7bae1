"""An uploaded PDF (a gestionnaire's document, an administrateur's formulaire) is accepted by
its content alone, with the platform's one check (`shared.content`): a refusal becomes
`PdfRefused` with the check's machine code and its reason. A gestionnaire's document then gets
the verification stamp on its first page (`stamped`), as a generated one has it.

Pure and synchronous (parsing and rendering are CPU work): call it in a thread.
"""

from __future__ import annotations

import io
from typing import Final

from pypdf import PdfReader, PdfWriter, Transformation
from reportlab.pdfgen.canvas import Canvas

from documents.domain.errors import PdfRefused
from documents.domain.stamp import Stamp, draw_stamp, stamp_box
from shared.content import PDF, PDF_ERRORS, ContentRefused, Source, check_content

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


def checked_and_stamped(pdf: bytes, stamp: Stamp) -> bytes:
    """A gestionnaire's upload as it is stored: checked, then stamped."""
    checked_pages(pdf)
    return stamped(pdf, stamp)


def stamped(pdf: bytes, stamp: Stamp) -> bytes:
    """`pdf` (already checked) with the verification block drawn over the bottom left of its
    first page as the reader sees it (its rotation applied to its content first): a one-page
    PDF of the page's size is rendered with reportlab and merged onto the page, on a white
    ground so the code and the QR read whatever the page has there.

    `PdfRefused` (`page-too-small`) when the first page cannot hold the block, and
    (`unstampable`) when pypdf cannot merge or write it: a document is never published without
    its stamp."""
    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf), strict=False))
        page = writer.pages[0]
        if page.rotation:
            page.transfer_rotation_to_content()
        box = page.cropbox
        left, bottom = float(box.left), float(box.bottom)
        width, height = float(box.width), float(box.height)
        _, _, right, top = stamp_box()
        if width < right or height < top:
            raise PdfRefused(
                "page-too-small",
                f"the first page ({width:.0f}×{height:.0f} pt) cannot hold the verification "
                f"stamp ({right:.0f}×{top:.0f} pt from its lower left corner)",
            )
        overlay = PdfReader(io.BytesIO(_stamp_page(width, height, stamp))).pages[0]
        page.merge_transformed_page(overlay, Transformation().translate(left, bottom))
        out = io.BytesIO()
        writer.write(out)
    except PdfRefused:
        raise
    except PDF_ERRORS as exc:
        raise PdfRefused(
            "unstampable", f"the verification stamp cannot be added ({type(exc).__name__})"
        ) from None
    return out.getvalue()


def _stamp_page(width: float, height: float, stamp: Stamp) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, height))
    left, bottom, right, top = stamp_box()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(left, bottom, right - left, top - bottom, stroke=0, fill=1)
    draw_stamp(canvas, stamp)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
