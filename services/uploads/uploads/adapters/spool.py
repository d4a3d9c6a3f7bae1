"""An upload's file part, spooled to a temporary file on disk while it is counted and hashed:
memory holds one chunk at a time, whatever the file's size, and the count stops the upload
as soon as it passes the pièce's limit (the rest is never read)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
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


async def file_part(reader: MultipartReader) -> BodyPartReader:
    """The form's `file` field (other fields before it are skipped)."""
    while (part := await reader.next()) is not None:
        if isinstance(part, BodyPartReader) and part.name == FILE_FIELD:
            return part
        await part.release()
    raise MalformedUpload(f"The form has no `{FILE_FIELD}` field")


async def spool(part: BodyPartReader, max_bytes: int, directory: Path | None) -> Spooled:
    descriptor, name = tempfile.mkstemp(prefix="upload-", dir=directory)
    path = Path(name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(descriptor, "wb") as out:
            while chunk := await part.read_chunk(CHUNK):
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
