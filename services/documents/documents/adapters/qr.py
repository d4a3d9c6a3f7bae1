"""The QR code of a verification token, for the PDF: PNG bytes and the module matrix.

segno (pure Python) picks the smallest version that holds the token; a base45 token (the
`DV1:` prefix and base45 use only QR's alphanumeric characters) is encoded in alphanumeric
mode. Error correction M (15 % of the modules may be lost: a crease, a stamp, a poor
photocopy), raised by segno for free when the chosen version has room for more.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno


@dataclass(frozen=True, slots=True)
class QrCode:
    png: bytes
    # True for a dark module, row by row, without the quiet zone: what a vector renderer
    # (reportlab, typst) draws as squares instead of embedding the PNG.
    matrix: tuple[tuple[bool, ...], ...]
    version: int

    @property
    def size(self) -> int:
        """Modules per side, without the quiet zone."""
        return len(self.matrix)


# Choosing the best of the 8 masks is three quarters of segno's time (~12 of ~16 ms a token
# here, as long as the rest of a page's render). Masks break up patterns of structured data
# that would look like finder patterns; a token is mostly an Ed25519 signature and base45 of
# JSON, close to random, on which the 8 masks score alike, so the PDF's QR takes a fixed one
# (any mask is valid QR: a decoder reads it from the format bits).
PDF_MASK = 2


def qr_matrix(token: str) -> tuple[tuple[bool, ...], ...]:
    """Only the modules (what a vector renderer draws), without making a PNG, with the fixed
    mask above."""
    qr = segno.make_qr(token, error="m", boost_error=True, mask=PDF_MASK)
    return tuple(tuple(bool(module) for module in row) for row in qr.matrix)


def render_qr(token: str, *, scale: int = 4, border: int = 4) -> QrCode:
    """`token` as a QR code. `scale` is pixels per module in the PNG; `border` is the quiet
    zone in modules (4 is what the standard asks for)."""
    qr = segno.make_qr(token, error="m", boost_error=True)
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=scale, border=border)
    matrix = tuple(tuple(bool(module) for module in row) for row in qr.matrix)
    version = qr.version
    if not isinstance(version, int):  # a Micro QR ("M4"); make_qr never makes one
        raise TypeError(f"unexpected QR version {version!r}")
    return QrCode(png=buffer.getvalue(), matrix=matrix, version=version)
