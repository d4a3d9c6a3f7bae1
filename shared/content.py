"""What a file is, decided by its content alone: never by its name or a declared Content-Type.

`sniff_and_check(source, allowed)` reads the magic bytes, then parses the file as the format
they announce — a PDF must open with `pypdf`, have pages and not be encrypted; a JPEG or PNG
must decode whole with Pillow within a pixel budget — and answers its media type. Anything else
raises `ContentRefused` with a reason a person can read.

Polyglots (a file that is two formats at once, such as a JPEG followed by a PDF or a PDF
followed by a ZIP) are refused by requiring the magic at offset 0 and nothing but whitespace
after the format's own end marker (`%%EOF`, the JPEG EOI, the PNG IEND chunk).

Pure and synchronous (CPU and local file reads): call it in a thread or a process pool.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Collection
from pathlib import Path
from typing import BinaryIO

from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PdfReadError

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
MEDIA_TYPES = (PDF, JPEG, PNG)
# An A4 page scanned at 600 dpi is ~35 million pixels; a phone photo 12 to 50.
DEFAULT_MAX_PIXELS = 50_000_000
# PDF readers accept `%%EOF` followed by line ends only.
_TRAILING_WHITESPACE = b" \t\r\n\x00\x0c"
_TAIL = 1024
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_JPEG_MAGIC = b"\xff\xd8\xff"
_JPEG_END = b"\xff\xd9"

Source = Path | bytes


class ContentRefused(ValueError):
    """The file is not one of the accepted formats, or does not parse as the one it claims."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sniff(head: bytes) -> str | None:
    """The media type the first bytes announce, or None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(_JPEG_MAGIC):
        return JPEG
    if head.startswith(_PNG_MAGIC):
        return PNG
    return None


def sniff_and_check(
    source: Source, allowed: Collection[str], *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> str:
    """The media type of `source` (a path or the bytes), after a full parse; `ContentRefused`
    when it is empty, of an unknown or unaccepted format, a polyglot, truncated, encrypted or
    an image over `max_pixels`."""
    with _open(source) as stream:
        head = stream.read(16)
        if not head:
            raise ContentRefused("the file is empty")
        media_type = sniff(head)
        if media_type is None:
            raise ContentRefused("not a PDF, JPEG or PNG file (checked on its content)")
        if media_type not in allowed:
            raise ContentRefused(f"a {_label(media_type)} file is not accepted here")
        _check_tail(stream, media_type)
        stream.seek(0)
        if media_type == PDF:
            _check_pdf(stream)
        else:
            _check_image(stream, media_type, max_pixels)
    return media_type


def _open(source: Source) -> BinaryIO:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    return source.open("rb")


def _label(media_type: str) -> str:
    return {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}.get(media_type, media_type)


def _check_tail(stream: BinaryIO, media_type: str) -> None:
    """Nothing after the format's end marker: a truncated file lacks it, a polyglot has
    another file after it."""
    size = stream.seek(0, io.SEEK_END)
    stream.seek(max(0, size - _TAIL))
    tail = stream.read()
    if media_type == PDF:
        end = tail.rfind(b"%%EOF")
        if end < 0:
            raise ContentRefused("the PDF is truncated (no end-of-file marker)")
        if tail[end + 5 :].strip(_TRAILING_WHITESPACE):
            raise ContentRefused("data follows the end of the PDF (a polyglot file?)")
    elif media_type == PNG and not tail.endswith(_PNG_END):
        raise ContentRefused("the PNG is truncated or followed by other data")
    elif media_type == JPEG and not tail.endswith(_JPEG_END):
        raise ContentRefused("the JPEG is truncated or followed by other data")


def _check_pdf(stream: BinaryIO) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(stream)
            if reader.is_encrypted:
                raise ContentRefused("the PDF is encrypted or password-protected")
            pages = len(reader.pages)
            for page in reader.pages:
                _ = page.mediabox
    except ContentRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise ContentRefused(f"the PDF cannot be read ({type(exc).__name__})") from None
    if pages == 0:
        raise ContentRefused("the PDF has no page")


def _check_image(stream: BinaryIO, media_type: str, max_pixels: int) -> None:
    pillow_format = "JPEG" if media_type == JPEG else "PNG"
    try:
        with warnings.catch_warnings():
            # Pillow warns past MAX_IMAGE_PIXELS and fails past twice that: both refuse here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream, formats=[pillow_format]) as image:
                # The header gives the size: a bomb is refused before anything is decoded.
                width, height = image.size
                if width * height > max_pixels:
                    raise ContentRefused(
                        f"the image is too large ({width}×{height} pixels, "
                        f"at most {max_pixels} pixels)"
                    )
                image.load()
    except ContentRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ContentRefused("the image is too large (a decompression bomb?)") from None
    except (OSError, ValueError, SyntaxError) as exc:  # UnidentifiedImageError is an OSError
        raise ContentRefused(f"the image cannot be decoded ({type(exc).__name__})") from None
