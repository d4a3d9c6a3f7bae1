"""What a file is, decided by its content alone: never by its name or a declared Content-Type.

`check_content(source, allowed)` reads the magic bytes, then parses the file as the format
they announce — a PDF must open with `pypdf`, have pages (at most `max_pages`, if given) and not
be encrypted; a JPEG or PNG must decode whole with Pillow within a pixel budget — and answers
its media type (and a PDF's page count). `sniff_and_check` answers the media type only.
Anything else raises `ContentRefused` with a stable machine `code` (see `CODES`) and a `reason`
a person can read.

Polyglots (a file that is two formats at once, such as a JPEG followed by a PDF or a PDF
followed by a ZIP) are refused by requiring the magic at offset 0 and nothing but whitespace
after the format's own end marker (`%%EOF`, the JPEG EOI, the PNG IEND chunk).

Pure and synchronous (CPU and local file reads): call it in a thread or a process pool.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PyPdfError

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
# Refused by name before anything else: the usual disguise of malware renamed `.pdf`.
_EXECUTABLES = (
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "an ELF executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O executable"),
    (b"#!", "a script"),
)
# What pypdf raises on a damaged file (its repairs included); for callers that parse one too.
PDF_ERRORS = (
    PyPdfError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    OSError,
    RecursionError,
)
# Every `ContentRefused.code`: services map them (documents answers them as `errors[0].code`).
CODES = (
    "empty",
    "executable",
    "unsupported-format",  # not a PDF, JPEG or PNG, or one not accepted where it is sent
    "truncated",
    "trailing-data",  # a polyglot: another file after the format's end
    "encrypted",
    "unreadable",
    "no-pages",
    "too-many-pages",
    "too-many-pixels",
)

Source = Path | bytes | BinaryIO


class ContentRefused(ValueError):
    """The file is not one of the accepted formats, or does not parse as the one it claims:
    `code` (one of `CODES`) for programs, `reason` for people."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Content:
    media_type: str
    pages: int | None = None  # a PDF's


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
    """The media type of `source` after a full parse (see `check_content`)."""
    return check_content(source, allowed, max_pixels=max_pixels).media_type


def check_content(
    source: Source,
    allowed: Collection[str],
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_pages: int | None = None,
) -> Content:
    """What `source` (a path, the bytes, or a seekable file, read from its start) is, after a
    full parse; `ContentRefused` when it is empty, an executable, of an unknown or unaccepted
    format, a polyglot, truncated, encrypted, a PDF without pages or over `max_pages`, or an
    image over `max_pixels`."""
    with _open(source) as stream:
        stream.seek(0)
        head = stream.read(16)
        if not head:
            raise ContentRefused("empty", "the file is empty")
        for magic, what in _EXECUTABLES:
            if head.startswith(magic):
                raise ContentRefused("executable", f"the file is {what}, not a document")
        media_type = sniff(head)
        if media_type is None:
            raise ContentRefused(
                "unsupported-format", "not a PDF, JPEG or PNG file (checked on its content)"
            )
        if media_type not in allowed:
            raise ContentRefused(
                "unsupported-format", f"a {_label(media_type)} file is not accepted here"
            )
        _check_tail(stream, media_type)
        stream.seek(0)
        if media_type == PDF:
            return Content(PDF, pages=_check_pdf(stream, max_pages))
        _check_image(stream, media_type, max_pixels)
    return Content(media_type)


def _open(source: Source) -> AbstractContextManager[BinaryIO]:
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, Path):
        return source.open("rb")
    return contextlib.nullcontext(source)  # the caller's to close


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
            raise ContentRefused("truncated", "the PDF is truncated (no end-of-file marker)")
        if tail[end + 5 :].strip(_TRAILING_WHITESPACE):
            raise ContentRefused(
                "trailing-data", "data follows the end of the PDF (a polyglot file?)"
            )
        return
    end_marker = _PNG_END if media_type == PNG else _JPEG_END
    if not tail.endswith(end_marker):
        code = "trailing-data" if end_marker in tail else "truncated"
        raise ContentRefused(
            code, f"the {_label(media_type)} is truncated or followed by other data"
        )


def _check_pdf(stream: BinaryIO, max_pages: int | None) -> int:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Not strict: real files often have small defects (an xref offset off by a few
            # bytes) that readers repair; what cannot be repaired still raises.
            reader = PdfReader(stream, strict=False)
            if reader.is_encrypted:
                raise ContentRefused("encrypted", "the PDF is encrypted or password-protected")
            pages = len(reader.pages)
            if max_pages is not None and pages > max_pages:
                raise ContentRefused("too-many-pages", f"the PDF has more than {max_pages} pages")
            for page in reader.pages:
                _ = page.mediabox  # parses each page's dictionary
    except ContentRefused:
        raise
    except PDF_ERRORS as exc:
        raise ContentRefused(
            "unreadable", f"the PDF cannot be read ({type(exc).__name__})"
        ) from None
    if pages == 0:
        raise ContentRefused("no-pages", "the PDF has no page")
    return pages


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
                        "too-many-pixels",
                        f"the image is too large ({width}×{height} pixels, "
                        f"at most {max_pixels} pixels)",
                    )
                image.load()
    except ContentRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ContentRefused(
            "too-many-pixels", "the image is too large (a decompression bomb?)"
        ) from None
    except (OSError, ValueError, SyntaxError) as exc:  # UnidentifiedImageError is an OSError
        raise ContentRefused(
            "unreadable", f"the image cannot be decoded ({type(exc).__name__})"
        ) from None


# pypdf logs a warning for every oddity it tolerates in a damaged file: the refusal says enough.
logging.getLogger("pypdf").setLevel(logging.ERROR)
