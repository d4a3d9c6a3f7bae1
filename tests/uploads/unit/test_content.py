"""shared/content.py: the format is decided by the content (magic bytes and a full parse),
never by a name, and every refusal says why."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from shared.content import (
    CODES,
    JPEG,
    MEDIA_TYPES,
    PDF,
    PNG,
    ContentRefused,
    check_content,
    sniff,
    sniff_and_check,
)
from tests.uploads import samples


@pytest.mark.parametrize(
    ("data", "expected"),
    [(samples.pdf(), PDF), (samples.jpeg(), JPEG), (samples.png(), PNG)],
)
def test_a_valid_file_is_recognised_by_its_content(data: bytes, expected: str) -> None:
    assert sniff_and_check(data, MEDIA_TYPES) == expected


def test_a_path_is_read_like_bytes(tmp_path: Path) -> None:
    path = tmp_path / "photo.pdf"  # the name says PDF: the content says PNG
    path.write_bytes(samples.png())
    assert sniff_and_check(path, MEDIA_TYPES) == PNG


def refusal(data: bytes, allowed: tuple[str, ...] = MEDIA_TYPES, **options: int) -> str:
    with pytest.raises(ContentRefused) as refused:
        sniff_and_check(data, allowed, **options)
    return refused.value.reason


def test_an_empty_file_is_refused() -> None:
    assert refusal(b"") == "the file is empty"


def test_a_windows_executable_is_refused() -> None:
    assert "a Windows executable" in refusal(samples.windows_executable())


def test_a_format_not_accepted_here_is_refused() -> None:
    assert refusal(samples.png(), allowed=(PDF,)) == "a PNG file is not accepted here"


def test_a_pdf_magic_not_at_the_start_is_not_a_pdf() -> None:
    assert "not a PDF" in refusal(b"junk" + samples.pdf())


def test_a_jpeg_followed_by_a_pdf_is_refused() -> None:
    assert "followed by other data" in refusal(samples.polyglot())


def test_a_pdf_followed_by_a_zip_is_refused() -> None:
    zip_tail = b"PK\x03\x04" + b"\x00" * 30 + b"PK\x05\x06" + b"\x00" * 18
    assert "polyglot" in refusal(samples.pdf() + zip_tail)


def test_a_truncated_pdf_is_refused() -> None:
    assert "truncated" in refusal(samples.truncated_pdf())


def test_a_pdf_that_does_not_parse_is_refused() -> None:
    assert "cannot be read" in refusal(b"%PDF-1.7\nnot a pdf at all\n%%EOF\n")


def test_an_encrypted_pdf_is_refused() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(samples.pdf())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    assert "encrypted" in refusal(out.getvalue())


def test_a_truncated_image_is_refused() -> None:
    assert "truncated" in refusal(samples.png()[:-20])
    assert "truncated" in refusal(samples.jpeg()[:-20])


def test_a_corrupt_image_with_its_end_marker_is_refused() -> None:
    data = samples.png()
    broken = data[:40] + bytes(len(data) - 52) + data[-12:]
    assert "cannot be decoded" in refusal(broken)


def test_an_image_over_the_pixel_budget_is_refused_before_decoding() -> None:
    assert "too large (64×48 pixels" in refusal(samples.png(), max_pixels=1000)


def test_a_decompression_bomb_is_refused() -> None:
    assert "too large" in refusal(samples.png_bomb())
    assert "too large" in refusal(samples.png_bomb(8_000, 8_000))


def test_sniff_names_only_the_three_formats() -> None:
    assert sniff(b"%PDF-1.4") == PDF
    assert sniff(b"\xff\xd8\xff\xe0") == JPEG
    assert sniff(b"MZ\x90\x00") is None
    assert sniff(b"GIF89a") is None


def code_of(data: bytes, allowed: tuple[str, ...] = MEDIA_TYPES, **options: int) -> str:
    with pytest.raises(ContentRefused) as refused:
        sniff_and_check(data, allowed, **options)
    assert refused.value.code in CODES
    return refused.value.code


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(samples.pdf())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: b"", "empty"),
        (samples.windows_executable, "executable"),
        (lambda: b"#!/bin/sh\necho\n", "executable"),
        (lambda: b"GIF89a", "unsupported-format"),
        (lambda: b"junk" + samples.pdf(), "unsupported-format"),
        (samples.truncated_pdf, "truncated"),
        (lambda: samples.png()[:-20], "truncated"),
        (samples.polyglot, "trailing-data"),
        (lambda: samples.pdf() + b"PK\x03\x04" + b"\x00" * 30, "trailing-data"),
        (encrypted_pdf, "encrypted"),
        (lambda: b"%PDF-1.7\nnot a pdf at all\n%%EOF\n", "unreadable"),
        (samples.png_bomb, "too-many-pixels"),
    ],
    ids=[
        "empty",
        "windows",
        "script",
        "gif",
        "late-magic",
        "truncated-pdf",
        "truncated-png",
        "jpeg-then-pdf",
        "pdf-then-zip",
        "encrypted",
        "garbage-pdf",
        "bomb",
    ],
)
def test_every_refusal_has_its_machine_code(make: Callable[[], bytes], code: str) -> None:
    assert code_of(make()) == code


def test_a_format_not_accepted_here_has_the_unsupported_code() -> None:
    assert code_of(samples.png(), allowed=(PDF,)) == "unsupported-format"


def test_a_pdf_has_its_pages_counted_and_may_be_limited() -> None:
    assert check_content(samples.pdf(pages=3), MEDIA_TYPES).pages == 3
    assert check_content(samples.png(), MEDIA_TYPES).pages is None
    with pytest.raises(ContentRefused) as refused:
        check_content(samples.pdf(pages=3), MEDIA_TYPES, max_pages=2)
    assert refused.value.code == "too-many-pages"


def test_an_open_file_is_read_from_its_start() -> None:
    stream = io.BytesIO(samples.png())
    stream.seek(10)
    assert check_content(stream, MEDIA_TYPES).media_type == PNG
    assert not stream.closed  # the caller's
