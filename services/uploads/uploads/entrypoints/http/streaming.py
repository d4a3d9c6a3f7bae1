"""A stored pièce file streamed to its candidate or a gestionnaire (`shared.http.streaming`):
never cached by the browser, named by its sanitised display name."""

from __future__ import annotations

from aiohttp import web

from shared.http.streaming import stream_object
from uploads.handlers.back_office import Download


async def stream(request: web.Request, found: Download) -> web.StreamResponse:
    return await stream_object(
        request,
        key=found.object_key,
        size=found.size,
        sha256=found.sha256,
        content_type=found.media_type,
        file_name=found.display_name,
        cache_control="private, no-store",
    )
