"""What makes the web app installable and usable offline: its files, the manifest, the service
worker and the offline page. None of these carries patient data."""

from __future__ import annotations

import hashlib
import json
from functools import cache

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from server.web.assets import Asset, asset_response, own_asset, static_url, vendor_asset, vendor_url
from server.web.context import PREFIX
from server.web.render import environment, html

router = APIRouter()

OFFLINE_PATH = f"{PREFIX}/hors-ligne"
# The shell the service worker keeps: the offline page and what it and every page load.
SHELL_FILES = ("app.js", "icon.svg", "icon-192.png")  # the style sheet is in every page
SHELL_VENDOR = ("htmx.min.js", "htmx-ext-sse.min.js")


@router.get("/static/{name:path}", include_in_schema=False)
def static(name: str, request: Request) -> Response:
    """The app's own files, and the npm packages' under vendor/."""
    vendored = name.removeprefix("vendor/")
    asset = vendor_asset(vendored) if vendored != name else own_asset(name)
    if asset is None:
        raise HTTPException(404)
    return asset_response(request, asset)


@cache
def _manifest() -> Asset:
    icons = [
        {"src": static_url("icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static_url("icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static_url("icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {"src": static_url("icon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    body = {
        "name": "Centrale — professionnels de santé",
        "short_name": "Centrale Pro",
        "description": "Demandes de prise en charge, patients en soins et coordination",
        "lang": "fr",
        "id": f"{PREFIX}/",
        "start_url": f"{PREFIX}/",
        "scope": f"{PREFIX}/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5394",
        "icons": icons,
    }
    return Asset.of("manifest.webmanifest", json.dumps(body, ensure_ascii=False, indent=1).encode())


@router.get("/manifest.webmanifest", include_in_schema=False)
def manifest(request: Request) -> Response:
    return asset_response(request, _manifest(), cache_control="no-cache")


def shell_urls() -> list[str]:
    return [OFFLINE_PATH, *map(static_url, SHELL_FILES), *map(vendor_url, SHELL_VENDOR)]


@cache
def _service_worker() -> Asset:
    urls = shell_urls()
    version = hashlib.sha256("\n".join(urls).encode()).hexdigest()[:12]
    source = (
        environment()
        .get_template("sw.js")
        .render(
            version=version,
            shell=json.dumps(urls),
            offline=json.dumps(OFFLINE_PATH),
            prefix=PREFIX,
            icon=json.dumps(static_url("icon-192.png")),
        )
    )
    return Asset.of("sw.js", source.encode())


@router.get("/sw.js", include_in_schema=False)
def service_worker(request: Request) -> Response:
    response = asset_response(request, _service_worker(), cache_control="no-cache")
    response.headers["Service-Worker-Allowed"] = f"{PREFIX}/"
    return response


@router.get("/hors-ligne", include_in_schema=False)
def offline() -> Response:
    """Served by the service worker when the network is gone; cacheable, no patient data."""
    response = html("offline.html", title="Pas de réseau")
    response.headers["Cache-Control"] = "no-cache"
    return response
