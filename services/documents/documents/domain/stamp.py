"""The verification block printed at the bottom of a document's first page: its short
verification code, for a person to type into `GET /api/v1/verification/{code}`, and a QR code
holding the signed token (`domain/verification.py`), for a scanner to check offline against the
service's published JWKS.

Any document of the service calls `draw_stamp(canvas, stamp)` on the page that carries it
(reportlab's `onFirstPage`, or a canvas drawn by hand) and keeps `STAMP_HEIGHT` free above the
bottom margin of that page. The QR is drawn as vector squares (crisp at any print resolution,
no image to embed), the text with the service's embedded font.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from documents.adapters.qr import qr_matrix
from documents.domain.fonts import BOLD, REGULAR, register_fonts
from documents.domain.verification import display_code

# Where the block sits: from `STAMP_BOTTOM` up, `STAMP_HEIGHT` tall, from the left margin.
STAMP_BOTTOM: Final = 15 * mm
STAMP_HEIGHT: Final = 30 * mm
LEFT: Final = 20 * mm
# The QR's side without its quiet zone: ~0.45 mm a module for a ~330-character token (version
# 10-11, 57-61 modules), which a phone reads from paper and a poor photocopy keeps.
QR_SIDE: Final = 27 * mm
QUIET_MODULES: Final = 4

EXPLANATION: Final = (
    "Pour vérifier ce document, saisissez ce code sur le service de vérification",
    "(/documents/api/v1/verification/<code>) ou scannez le code QR : il porte les",
    "numéros, la version, la date et les initiales, signés par le service",
    "(clés publiques : /documents/api/v1/verification/jwks.json).",
)


@dataclass(frozen=True)
class Stamp:
    code: str  # the short verification code, printed
    token: str  # the signed QR payload


def draw_stamp(canvas: Canvas, stamp: Stamp) -> None:
    """Draw the block at the bottom of the current page (the caller keeps the space free)."""
    register_fonts()
    canvas.saveState()
    _draw_qr(canvas, stamp.token, LEFT, STAMP_BOTTOM + (STAMP_HEIGHT - QR_SIDE) / 2)
    text_x = LEFT + QR_SIDE + 8 * mm
    top = STAMP_BOTTOM + STAMP_HEIGHT - 6 * mm
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(BOLD, 9)
    canvas.drawString(text_x, top, "Vérification du document")
    canvas.setFont(BOLD, 12)
    canvas.drawString(text_x, top - 6 * mm, f"Code : {display_code(stamp.code)}")
    canvas.setFont(REGULAR, 7.5)
    for index, line in enumerate(EXPLANATION):
        canvas.drawString(text_x, top - 12 * mm - index * 3.6 * mm, line)
    canvas.restoreState()


def stamp_box() -> tuple[float, float, float, float]:
    """The block's extent (left, bottom, right, top, in points from the page's lower left
    corner), QR quiet zone and the longest line included: what a page must hold."""
    register_fonts()
    quiet = 3 * mm  # more than QUIET_MODULES modules of the largest QR (~0.5 mm a module)
    text_x = LEFT + QR_SIDE + 8 * mm
    widths = [stringWidth(line, REGULAR, 7.5) for line in EXPLANATION]
    widths.append(stringWidth("Vérification du document", BOLD, 9))
    right = text_x + max(widths)
    top = STAMP_BOTTOM + STAMP_HEIGHT
    return LEFT - quiet, STAMP_BOTTOM - quiet, right, top


def _draw_qr(canvas: Canvas, token: str, x: float, y: float) -> None:
    """Dark modules as filled rectangles, one per run of dark modules in a row, on a white
    square that keeps the quiet zone clear. Written as one literal path in module units
    (integers), since reportlab formats every coordinate in Python: ~1 ms, not ~10."""
    matrix = qr_matrix(token)
    size = len(matrix)
    module = QR_SIDE / size
    quiet = QUIET_MODULES * module
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x - quiet, y - quiet, QR_SIDE + 2 * quiet, QR_SIDE + 2 * quiet, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.saveState()
    # Module units, rows counted downwards from the top-left corner.
    canvas.transform(module, 0, 0, -module, x, y + QR_SIDE)
    path = [
        f"{start} {row_index} {length} 1 re"
        for row_index, row in enumerate(matrix)
        for start, length in _dark_runs(row)
    ]
    canvas.addLiteral("\n".join([*path, "f"]))
    canvas.restoreState()


def _dark_runs(row: tuple[bool, ...]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for index, dark in enumerate((*row, False)):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            runs.append((start, index - start))
            start = None
    return runs
