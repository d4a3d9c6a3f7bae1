"""Receiving a file, before the transaction that records it (the endpoint's `around=`): no
pooled connection is held while the body arrives or while clamd and S3 work.

1. The pièce is checked (owned, open, before the date limite, room for a file) and the
   declared `Content-Length` compared with its limit: a 200 MB upload is refused before a byte
   of it is read.
2. The file part is spooled to disk while counted and hashed (413 as soon as it passes).
3. clamd scans it (INSTREAM): an infected file is refused (422) and never stored; clamd
   unreachable is a 503 — nothing is accepted unscanned. Scanning comes before parsing, so the
   parsers never meet a known-malicious file.
4. Its format is decided by its content (`shared.content`, in a thread; a few at a time, since
   a decoded image takes memory in proportion to its pixels, up to the budget).
5. It is put in the bucket under a generated key (an S3 failure is a 503, nothing recorded).
6. The handler records it in one transaction; if that fails, the object is removed, so no
   object is left that a row names or that nothing names.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

from aiohttp import web

from shared.auth import Principal
from shared.content import ContentRefused, sniff_and_check
from shared.http.api import RawBody
from shared.http.keys import POOL
from shared.storage import STORAGE, STORAGE_ERRORS, STORE, ObjectStore
from uploads.adapters.spool import Spooled, discard, file_part, spool
from uploads.deps import DEPS, Deps
from uploads.domain.errors import (
    FileInfected,
    FileRefused,
    FileTooLarge,
    NotFound,
    StorageUnavailable,
)
from uploads.domain.names import display_name
from uploads.handlers import files
from uploads.handlers.files import Received, Target

log = logging.getLogger(__name__)

# What a multipart envelope adds to the file (boundaries, part headers): a Content-Length
# beyond the limit plus this is refused unread.
MULTIPART_ALLOWANCE = 64 * 1024


def path_uuid(request: web.Request, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(request.match_info[name])
    except ValueError:
        raise NotFound(f"{name} {request.match_info[name][:40]}") from None


@asynccontextmanager
async def receive_file(
    request: web.Request, *, body: RawBody, principal: Principal
) -> AsyncIterator[Mapping[str, Any]]:
    deps = request.app[DEPS]
    candidature_id = path_uuid(request, "candidature_id")
    piece_id = path_uuid(request, "piece_id")
    replaces = path_uuid(request, "file_id") if "file_id" in request.match_info else None
    async with request.app[POOL].acquire() as conn:
        target = await files.target(conn, candidature_id, piece_id, principal, deps, replaces)
    declared = request.content_length
    # Refused at once; aiohttp then drains (discards) what the client still sends for a few
    # seconds, so that the client reads the answer rather than a reset connection.
    if declared is not None and declared > target.max_bytes + MULTIPART_ALLOWANCE:
        raise FileTooLarge(target.max_bytes)
    part = await file_part(body.parts())
    spooled = await spool(part, target.max_bytes, deps.spool_dir)
    try:
        received = await _accept(request.app[STORE], spooled, target, deps)
        try:
            yield {"received": received}
        except BaseException:
            await _remove_quietly(request.app[STORE], received.object_key)
            raise
    finally:
        discard(spooled.path)


async def _accept(store: ObjectStore, spooled: Spooled, target: Target, deps: Deps) -> Received:
    if spooled.size == 0:
        raise FileRefused("the file is empty")
    verdict = await deps.scanner.scan_file(spooled.path)
    if not verdict.clean:
        log.warning("infected upload refused", extra={"signature": verdict.signature})
        raise FileInfected(verdict.signature or "unknown")
    async with deps.content_checks:
        media_type = await _check_content(spooled.path, target.formats, deps.max_pixels)
    key = f"pieces/{uuid.uuid4()}"
    try:
        with spooled.path.open("rb") as data:
            await store.put_stream(key, data, spooled.size, media_type)
    except STORAGE_ERRORS as exc:
        STORAGE.failed(exc)
        await _remove_quietly(store, key)  # a put that failed late may have left the object
        raise StorageUnavailable() from None
    STORAGE.answered()
    return Received(
        object_key=key,
        display_name=display_name(spooled.filename, media_type),
        media_type=media_type,
        size=spooled.size,
        sha256=spooled.sha256,
    )


async def _check_content(path: Path, formats: tuple[str, ...], max_pixels: int) -> str:
    try:
        return await asyncio.to_thread(sniff_and_check, path, formats, max_pixels=max_pixels)
    except ContentRefused as refused:
        raise FileRefused(refused.reason) from None


async def _remove_quietly(store: ObjectStore, key: str) -> None:
    """The record failed: the object goes too. Should S3 fail now as well, the key is logged
    (an orphan no row names, never a row naming nothing)."""
    with suppress(*STORAGE_ERRORS):
        await store.remove(key)
        return
    log.warning(
        "object of an unrecorded upload may be left in the bucket", extra={"object_key": key}
    )
