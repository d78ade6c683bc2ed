"""The web app's front-end files: npm packages pinned by server/web/package-lock.json, installed
in server/web/node_modules by scripts/bootstrap.sh (`npm ci`), never copied into the repository.

`vendor_file(name)` is what the server serves under /pro/static/vendor/<name>; the frozen bundle
(installers/centrale.spec) carries the same files at the same place, so the same lookup works in
both. Standard library only: the pages import it, the spec and the tests read its tables.
"""

from __future__ import annotations

import json
from pathlib import Path

NODE_MODULES = Path(__file__).resolve().parent / "node_modules"

# Served name → file inside node_modules. Only what a browser of the web app downloads.
VENDOR_FILES: dict[str, str] = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "htmx-ext-sse.min.js": "htmx-ext-sse/dist/sse.min.js",
    # The offer's map of the approximate area (tiles from CENTRALE_TILE_URL; usable without them).
    "leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet.css": "leaflet/dist/leaflet.css",
}
# Shipped beside them in the bundle (the licences ask for it); never served.
VENDOR_LICENSES: tuple[str, ...] = ("htmx.org/LICENSE", "htmx-ext-sse/LICENSE", "leaflet/LICENSE")


class VendorFileMissing(FileNotFoundError):
    """node_modules is absent or incomplete: bootstrap (npm ci) has not run on this checkout."""


def node_module_file(relative: str) -> Path:
    """A file of an installed npm package (`axe-core/axe.min.js`), or a clear error."""
    path = NODE_MODULES / relative
    if not path.is_file():
        raise VendorFileMissing(
            f"{path} manquant : les paquets npm du web ne sont pas installés "
            "(lancez scripts/bootstrap.sh, qui fait `npm ci` dans server/web)"
        )
    return path


def vendor_file(name: str) -> Path:
    """The file served as /pro/static/vendor/<name>; KeyError for a name not in VENDOR_FILES."""
    if name not in VENDOR_FILES:
        raise KeyError(f"fichier tiers inconnu : {name!r} (connus : {', '.join(VENDOR_FILES)})")
    return node_module_file(VENDOR_FILES[name])


def package_version(package: str) -> str:
    """The installed version of an npm package (`htmx.org` → `2.0.11`), e.g. for cache busting."""
    data = json.loads(node_module_file(f"{package}/package.json").read_text(encoding="utf-8"))
    return str(data["version"])
