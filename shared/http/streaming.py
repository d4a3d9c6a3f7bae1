"""A stored object streamed to the client from the service's bucket, 256 KiB at a time (never
whole in memory), with its `Content-Length`, a `Content-Disposition` safe for any name (an ASCII
fallback and the UTF-8 name, RFC 6266), its SHA-256 as `ETag` (304 on `If-None-Match`) and
`nosniff`. The caller reads the row first: no pooled connection is held while it streams. An
S3 failure before the first byte is a 503 `storage-unavailable`; after it, the download is cut
short (the status is already sent)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import cast
from urllib.parse import quote

from aiohttp import web

from shared.http.problems import ProblemError
from shared.storage import STORAGE, STORAGE_ERRORS, STORE


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
            "Content-Disposition": content_disposition(file_name),
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
    """The name as it is when it is plain ASCII; otherwise an ASCII fallback and the UTF-8
    name (RFC 6266)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    if fallback == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def storage_unavailable() -> ProblemError:
    return ProblemError(
        503,
        "storage-unavailable",
        "Storage unavailable",
        "Try again in a moment",
        headers={"Retry-After": "5"},
    )
