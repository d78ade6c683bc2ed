"""Slow 3G emulation and the bytes-on-the-wire log, against the real server."""

from __future__ import annotations

import time

import httpx
from playwright.sync_api import Page

from tests.support.browser import (
    SLOW_3G,
    emulate_network,
    first_contentful_paint_ms,
    problems_of,
    record_transfers,
)
from tests.support.live import LiveServer


def _load_seconds(page: Page, path: str) -> float:
    started = time.monotonic()
    page.goto(path)
    return time.monotonic() - started


def test_slow_3g_slows_a_load_by_its_latency_and_throughput(
    desktop_page: Page, web_server: LiveServer
) -> None:
    size = len(httpx.get(f"{web_server.process.base_url}/api/v1/openapi.json").content)
    assert size > 40_000  # enough for the throughput to show
    desktop_page.goto("/api/v1/health")  # the connection and the server warmed up
    normal = _load_seconds(desktop_page, "/api/v1/openapi.json")

    emulate_network(desktop_page, SLOW_3G)
    slow = _load_seconds(desktop_page, "/api/v1/openapi.json")
    at_least = SLOW_3G.latency_ms / 1000 + 0.8 * size / SLOW_3G.download_bytes_per_s
    assert slow >= at_least, f"{slow:.2f} s sous Slow 3G, {at_least:.2f} s attendues au moins"
    assert normal < slow / 4, f"{normal:.2f} s sans émulation, {slow:.2f} s avec"

    desktop_page.goto("/api/v1/health")
    painted = first_contentful_paint_ms(desktop_page)
    assert painted is not None
    assert painted >= SLOW_3G.latency_ms

    emulate_network(desktop_page, None)
    assert _load_seconds(desktop_page, "/api/v1/health") < 1.0


def test_the_transfer_log_counts_each_response_as_devtools_does(
    phone_page: Page, web_server: LiveServer
) -> None:
    body = httpx.get(f"{web_server.process.base_url}/api/v1/openapi.json").content
    log = record_transfers(phone_page)
    phone_page.goto("/api/v1/docs")
    phone_page.evaluate("() => fetch('/api/v1/openapi.json').then(r => r.text())")
    log.settle()

    by_url = {t.url.removeprefix(web_server.process.base_url): t for t in log.transfers}
    docs, spec = by_url["/api/v1/docs"], by_url["/api/v1/openapi.json"]
    assert (docs.resource_type, docs.status, docs.mime_type) == ("Document", 200, "text/html")
    assert (spec.resource_type, spec.status) == ("Fetch", 200)
    # Body plus the response headers (a few hundred bytes), uncompressed: the server sends no gzip.
    assert len(body) < spec.bytes < len(body) + 2_000, log.table()
    cdn = [t for t in log.transfers if t.url.startswith("https://cdn.jsdelivr.net/")]
    assert cdn, log.table()
    assert {(t.failure, t.bytes) for t in cdn} == {("net::ERR_NAME_NOT_RESOLVED", 0)}, log.table()
    assert log.total_bytes() == sum(t.bytes for t in log.transfers)
    assert log.bytes_by_type()["Fetch"] == spec.bytes
    assert "en tout" in log.table()
    problems_of(phone_page).clear()  # the docs page's CDN links, refused on purpose
