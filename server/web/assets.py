"""The web app's files: its own (server/web/static) and the npm packages' (server/web/vendor.py),
kept in memory with their gzip form, served with an ETag and, when the URL is versioned
(``?v=<hash>``, what the templates write), a year-long immutable cache."""

from __future__ import annotations

import base64
import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from server.web.context import PREFIX
from server.web.vendor import VENDOR_FILES, node_module_file

STATIC = Path(__file__).resolve().parent / "static"

_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".html": "text/html; charset=utf-8",
}
_COMPRESSIBLE = (".js", ".css", ".svg", ".webmanifest", ".html", ".json")
YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str

    @classmethod
    def of(cls, name: str, body: bytes) -> Asset:
        suffix = Path(name).suffix
        media_type = _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
        packed = gzip.compress(body, 9, mtime=0) if suffix in _COMPRESSIBLE and len(body) > 500 else None
        return cls(body, packed, media_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


@cache
def own_asset(name: str) -> Asset | None:
    path = (STATIC / name).resolve()
    if not path.is_relative_to(STATIC) or not path.is_file():
        return None
    return Asset.of(name, path.read_bytes())


@cache
def vendor_asset(name: str) -> Asset | None:
    relative = VENDOR_FILES.get(name)
    if relative is None:
        return None
    return Asset.of(name, node_module_file(relative).read_bytes())


def asset_response(request: Request, asset: Asset, *, cache_control: str | None = None) -> Response:
    versioned = "v" in request.query_params
    headers = {
        "ETag": asset.etag,
        "Cache-Control": cache_control or (f"public, max-age={YEAR}, immutable" if versioned else "no-cache"),
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    if asset.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


def _version(asset: Asset | None, name: str) -> str:
    if asset is None:
        raise KeyError(f"fichier inconnu : {name}")
    return asset.etag.strip('"')[:12]


def static_url(name: str) -> str:
    """/pro/static/<name>?v=<content hash>: cached for a year, renamed by every change."""
    return f"{PREFIX}/static/{name}?v={_version(own_asset(name), name)}"


def vendor_url(name: str) -> str:
    return f"{PREFIX}/static/vendor/{name}?v={_version(vendor_asset(name), name)}"


@cache
def inline_style() -> tuple[str, str]:
    """The style sheet, written into every page (a stylesheet of its own would cost the first
    render one more round trip: 2 s under « Slow 3G »), and its CSP source (``'sha256-…'``)."""
    css = (STATIC / "app.css").read_text(encoding="utf-8").strip()
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return css, f"'sha256-{digest}'"
