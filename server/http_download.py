"""A stored file sent back to the browser or the desktop, the one way for api/ and web/ alike: as a
download (`Content-Disposition: attachment`), never sniffed, never cached, and sandboxed should a
browser render it anyway (a PDF's scripts, an SVG disguised as an image)."""

from __future__ import annotations

from starlette.responses import Response

from server.services.documents import content_disposition


def file_download(data: bytes, filename: str, content_type: str) -> Response:
    headers = {
        "Content-Disposition": content_disposition(filename),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
        "Content-Security-Policy": "sandbox",
    }
    return Response(content=data, media_type=content_type, headers=headers)
