"""The verification stamp drawn on every generated PDF: its short code (and, in the
verification branch, the QR code of its signed token).

Stub with the interface of the verification branch's module (`ver`), which replaces this one at
the merge: the templates call `draw_stamp` on each page, whatever draws it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from documents.domain.confirmation import REGULAR


@dataclass(frozen=True)
class Stamp:
    code: str
    token: str


def draw_stamp(canvas: Any, stamp: Stamp) -> None:
    """The code as text at the bottom right of the page (no QR here)."""
    canvas.saveState()
    canvas.setFont(REGULAR, 7)  # the documents' embedded font
    canvas.drawRightString(A4[0] - 15 * mm, 14 * mm, f"Code de vérification : {stamp.code}")
    canvas.restoreState()
