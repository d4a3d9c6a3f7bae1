"""Files the uploads tests send: valid PDFs and images made on the spot, and the bad ones of
the issue (an executable renamed .pdf, a polyglot, a truncated PDF, a decompression bomb, the
EICAR test file). Nothing here is read from disk or downloaded."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image
from pypdf import PdfWriter

# The EICAR anti-virus test file, assembled at run time so that no scanner on a developer's
# machine quarantines this source file.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!" + b"$H+H*"
EICAR_MD5 = "44d88612fea8a8f36de82e1278abb02f"


def pdf(pages: int = 1, padding: int = 0) -> bytes:
    """A valid PDF; `padding` bytes of a comment make it as large as a test needs."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if padding:
        writer.add_metadata({"/Padding": "x" * padding})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def jpeg(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def png(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 200, 30)).save(out, format="PNG")
    return out.getvalue()


def windows_executable() -> bytes:
    """The start of a PE file: an MZ header, the DOS stub, a PE signature."""
    header = b"MZ" + b"\x90\x00" * 29 + struct.pack("<I", 0x80)
    stub = b"This program cannot be run in DOS mode.\r\r\n$"
    return (header + stub).ljust(0x80, b"\x00") + b"PE\x00\x00" + b"\x00" * 200


def polyglot() -> bytes:
    """A JPEG that is also a PDF (a PDF appended after the image)."""
    return jpeg() + pdf()


def truncated_pdf() -> bytes:
    whole = pdf(pages=3)
    return whole[: len(whole) * 2 // 3]


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A 1-bit grayscale PNG of 400 million pixels that compresses to ~50 KB: decoding it
    whole would take hundreds of MB. Its rows are all zeros (filter byte included)."""
    remaining = height * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    block = bytes(1 << 20)
    parts = []
    while remaining:
        size = min(remaining, len(block))
        parts.append(compressor.compress(block[:size]))
        remaining -= size
    data = b"".join(parts) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )
