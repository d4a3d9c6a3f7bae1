"""The embedded fonts every document of the service is drawn with (accents, apostrophes, « »
and the no-break space included; the text stays extractable)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = "Doc-Regular"
BOLD = "Doc-Bold"


@cache
def font_files() -> tuple[Path, Path]:
    """DejaVu Sans (Debian's fonts-dejavu-core) if present, else reportlab's bundled Vera."""
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        return regular, bold
    import reportlab

    fonts = Path(reportlab.__file__).parent / "fonts"
    return fonts / "Vera.ttf", fonts / "VeraBd.ttf"


@cache
def register_fonts() -> None:
    """Once a process (the render pool's workers included)."""
    regular, bold = font_files()
    pdfmetrics.registerFont(TTFont(REGULAR, str(regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
