"""Streaming a stored PDF to the client, shared by Mes documents and the formulaires: the
object is read from the bucket 256 KiB at a time (never whole in memory), with its
`Content-Length`, a safe `Content-Disposition`, `ETag` (its SHA-256; 304 on
`If-None-Match`) and `nosniff`. An S3 failure before the first byte is a 503."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import cast

from aiohttp import web

from documents.handlers.publishing import STORAGE_ERRORS
from shared.http.problems import ProblemError
from shared.storage import STORAGE, STORE


async def stream_object(
    request: web.Request,
    *,
    key: str,
    size: int,
    sha256: str,
    content_type: str,
    file_name: str,
    cache_control: str,
) -> web.StreamResponse:
    etag = f'"{sha256}"'
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        return web.Response(status=304, headers=headers)
    # An async generator: closed below, so an interrupted download releases its connection.
    chunks = cast(AsyncGenerator[bytes, None], request.app[STORE].chunks(key))
    try:
        first = await anext(chunks, b"")
    except STORAGE_ERRORS as exc:
        STORAGE.failed(exc)
        raise storage_unavailable() from None
    response = web.StreamResponse(
        headers={
            **headers,
            "Content-Type": content_type,
            "Content-Length": str(size),
            "Content-Disposition": f'attachment; filename="{file_name}"',
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


def storage_unavailable() -> ProblemError:
    return ProblemError(503, "storage-unavailable", "Storage unavailable", "Try again in a moment")
