"""A stored file streamed to the client from the bucket, 256 KiB at a time, with a safe
`Content-Disposition`; no pooled connection is held while it streams (the caller read the row
first)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import cast
from urllib.parse import quote

from aiohttp import web

from shared.storage import STORAGE, STORE
from uploads.domain.errors import StorageUnavailable
from uploads.entrypoints.http.receiving import STORAGE_ERRORS
from uploads.handlers.back_office import Download


async def stream(request: web.Request, found: Download) -> web.StreamResponse:
    chunks = cast(AsyncGenerator[bytes, None], request.app[STORE].chunks(found.object_key))
    try:
        first = await anext(chunks, b"")
    except STORAGE_ERRORS as exc:
        STORAGE.failed(exc)
        raise StorageUnavailable() from None
    response = web.StreamResponse(
        headers={
            "Content-Type": found.media_type,
            "Content-Length": str(found.size),
            "Content-Disposition": content_disposition(found.display_name),
            "ETag": f'"{found.sha256}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        }
    )
    await response.prepare(request)
    try:
        await response.write(first)
        async for chunk in chunks:
            await response.write(chunk)
    finally:
        await chunks.aclose()
    await response.write_eof()
    return response


def content_disposition(name: str) -> str:
    """An ASCII fallback and the UTF-8 name (RFC 6266): the name was sanitised at upload."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
