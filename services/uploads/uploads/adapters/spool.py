"""An upload's file part, spooled to a temporary file on disk while it is counted and hashed:
memory holds one chunk at a time, whatever the file's size, and the count stops the upload
as soon as it passes the pièce's limit (the rest is never read)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import BodyPartReader, MultipartReader

from uploads.domain.errors import FileTooLarge, MalformedUpload

CHUNK = 256 * 1024
FILE_FIELD = "file"


@dataclass(frozen=True)
class Spooled:
    path: Path
    size: int
    sha256: str
    filename: str | None


async def file_part(reader: Awaitable[MultipartReader]) -> BodyPartReader:
    """The form's `file` field (other fields before it are skipped)."""
    try:
        form = await reader
        while (part := await form.next()) is not None:
            if isinstance(part, BodyPartReader) and part.name == FILE_FIELD:
                return part
            await part.release()
    except ValueError as exc:  # aiohttp's refusals of a malformed form (no boundary…)
        raise MalformedUpload(f"The body is not a multipart form: {exc}"[:300]) from None
    raise MalformedUpload(f"The form has no `{FILE_FIELD}` field")


async def spool(part: BodyPartReader, max_bytes: int, directory: Path | None) -> Spooled:
    descriptor, name = tempfile.mkstemp(prefix="upload-", dir=directory)
    path = Path(name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(descriptor, "wb") as out:
            while chunk := await _chunk(part):
                size += len(chunk)
                if size > max_bytes:
                    raise FileTooLarge(max_bytes)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        discard(path)
        raise
    return Spooled(path, size, digest.hexdigest(), part.filename)


def discard(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


async def _chunk(part: BodyPartReader) -> bytes:
    try:
        return await part.read_chunk(CHUNK)
    except ValueError as exc:  # a part cut short, a bad transfer encoding
        raise MalformedUpload(f"The file part is malformed: {exc}"[:300]) from None
