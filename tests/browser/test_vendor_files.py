"""The front-end packages bootstrap installs: where server/web/vendor.py finds them, its errors, and
htmx with its SSE extension working in Chromium under a strict CSP."""

from __future__ import annotations

import fnmatch
import json
import tomllib
from pathlib import Path

import pytest
from playwright.sync_api import Route

from server.web import vendor
from tests.support.browser import problems_of
from tests.support.browser_fixtures import NewContext

ROOT = Path(__file__).resolve().parents[2]


def test_every_vendor_file_is_installed_at_the_locked_version() -> None:
    lock = json.loads((ROOT / "server" / "web" / "package-lock.json").read_text(encoding="utf-8"))
    for name in vendor.VENDOR_FILES:
        assert vendor.vendor_file(name).stat().st_size > 1_000
    for package in ("htmx.org", "htmx-ext-sse", "leaflet", "axe-core"):
        assert vendor.package_version(package) == lock["packages"][f"node_modules/{package}"]["version"]
    assert vendor.package_version("htmx.org").startswith("2.")
    for licence in vendor.VENDOR_LICENSES:
        assert vendor.node_module_file(licence).is_file()


def test_a_wheel_carries_every_vendor_file_and_licence() -> None:
    """pyproject's package-data lists them one by one (node_modules is not a package): none forgotten."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["server"]
    for relative in [*vendor.VENDOR_FILES.values(), *vendor.VENDOR_LICENSES]:
        path = f"web/node_modules/{relative}"
        assert any(fnmatch.fnmatch(path, pattern) for pattern in patterns), path


def test_a_missing_install_says_to_run_bootstrap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(vendor, "NODE_MODULES", tmp_path / "node_modules")
    with pytest.raises(vendor.VendorFileMissing, match=r"scripts/bootstrap\.sh"):
        vendor.vendor_file("htmx.min.js")
    with pytest.raises(KeyError, match="inconnu"):
        vendor.vendor_file("jquery.js")


PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Direct</title>
<script src="/static/vendor/htmx.min.js"></script>
<script src="/static/vendor/htmx-ext-sse.min.js"></script></head>
<body hx-ext="sse"><main><h1>Direct</h1>
<div sse-connect="/events" sse-swap="offre" id="offres">en attente</div>
<button hx-get="/fragment" hx-target="#fragment">Charger</button><div id="fragment"></div>
</main></body></html>"""


def test_htmx_and_its_sse_extension_run_in_chromium(new_context: NewContext) -> None:
    """Served as the pages will serve them (vendor_file, CSP script-src 'self'): a click swaps a
    fragment in, and a server-sent event swaps the offers."""

    def serve(route: Route) -> None:
        path = route.request.url.removeprefix("http://127.0.0.1:9")
        csp = {"Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'"}
        if path.startswith("/static/vendor/"):
            route.fulfill(path=vendor.vendor_file(path.rsplit("/", 1)[1]), content_type="text/javascript")
        elif path == "/events":
            route.fulfill(content_type="text/event-stream", body="event: offre\ndata: <b>Offre 42</b>\n\n")
        elif path == "/fragment":
            route.fulfill(content_type="text/html", body="<p>Fragment chargé</p>")
        else:
            route.fulfill(content_type="text/html; charset=utf-8", headers=csp, body=PAGE)

    page = new_context("phone").new_page()
    page.route("http://127.0.0.1:9/**", serve)
    page.goto("http://127.0.0.1:9/pro/")
    assert page.evaluate("htmx.version").startswith("2.")
    page.locator("#offres b").filter(has_text="Offre 42").wait_for()
    page.get_by_role("button", name="Charger").tap()
    page.get_by_text("Fragment chargé").wait_for()
    # A fulfilled stream ends at once, so EventSource reconnects and htmx logs each error event
    # (console.error of an Event): that alone is expected here, a real stream stays open.
    problems = problems_of(page)
    assert not problems.errors, problems.report()
    assert not problems.offsite, problems.report()
    assert all(text.startswith("[object Event]") for text in problems.console_errors), problems.report()
    problems.clear()
