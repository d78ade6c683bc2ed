"""The dashboard's weight and first render on a phone, and what one live update costs.

A real server (SQLite), Debian's headless Chromium, a phone context (360×740) of a nurse who has
a few patients in care and offers waiting. Each run: a fresh context logs in (not throttled),
the browser's cache and service worker are emptied, then « Tableau de bord » is loaded under
Chrome's « Slow 3G » (2 s latency, 50 kB/s) and the bytes on the wire are counted (encoded:
gzip, headers included) with the first contentful paint. Then, the page open and the network
unthrottled, the hotline sends a case: the bytes of that live update (the SSE wake-ups and the
fragments re-read) are counted until the page is quiet again.
Targets: first load ≤ 150 KB, first render ≤ 3 s under Slow 3G, a live update ≤ 20 KB.
"""

from __future__ import annotations

import argparse
import statistics
import time

from playwright.sync_api import BrowserContext, sync_playwright

from bench.web_support import live_server
from tests.support.browser import (
    SLOW_3G,
    context_options,
    emulate_network,
    first_contentful_paint_ms,
    launch,
    record_transfers,
)
from tests.support.web_pages import Scene, log_in


def first_load(context: BrowserContext, username: str) -> tuple[float | None, int, dict[str, int]]:
    page = context.new_page()
    log_in(page, username)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.clearBrowserCache")
    page.evaluate(
        "() => navigator.serviceWorker.getRegistrations()"
        ".then(rs => Promise.all(rs.map(r => r.unregister())))"
    )
    page.goto("about:blank")
    emulate_network(page, SLOW_3G)
    log = record_transfers(page)
    page.goto("/pro/tableau-de-bord", wait_until="load", timeout=120_000)
    log.settle(timeout_s=120)
    painted = first_contentful_paint_ms(page)
    figures = (painted, log.total_bytes(), log.bytes_by_type())
    log.stop()
    page.close()
    return figures


def live_update(context: BrowserContext, scene: Scene, username: str) -> int:
    page = context.new_page()
    page.goto("/pro/tableau-de-bord")
    page.wait_for_function("() => document.getElementById('diode').dataset.state === 'connected'", polling=50)
    page.wait_for_timeout(500)
    log = record_transfers(page)
    scene.send(care_type=f"Mise à jour {time.monotonic_ns()}")
    page.wait_for_function(
        "() => document.querySelector('#liste-offres').textContent.includes('Mise à jour')", polling=20
    )
    log.settle(quiet_ms=500)
    spent = log.total_bytes()
    log.stop()
    page.close()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    loads: list[tuple[float | None, int, dict[str, int]]] = []
    updates: list[int] = []
    with live_server() as server, sync_playwright() as playwright:
        scene = Scene.open(server)
        nurse = scene.nurse()
        for n in range(3):  # a dashboard with something in it: patients in care, offers waiting
            taken = scene.send(care_type=f"Pansement {n}")
            assert nurse.client.post(f"/prescriptions/{taken}/accept").status_code == 200
            scene.send(care_type=f"Injection {n}")
        browser = launch(playwright)
        username = nurse.profile["username"]
        for _ in range(args.runs):
            options = context_options(browser, "phone")
            context = browser.new_context(**options, base_url=server.process.base_url, bypass_csp=True)
            loads.append(first_load(context, username))
            updates.append(live_update(context, scene, username))
            context.close()
        browser.close()
        scene.close()
    paints = [p for p, _, _ in loads if p is not None]
    _, weight, by_type = sorted(loads, key=lambda run: run[1])[len(loads) // 2]
    print(
        f"dashboard, first load, phone, Slow 3G, {len(loads)} runs: first contentful paint median "
        f"{statistics.median(paints):.0f} ms, max {max(paints):.0f} ms (target ≤ 3 s); "
        f"{weight:,} B on the wire "
        f"({', '.join(f'{kind} {size:,}' for kind, size in sorted(by_type.items()))}) (target ≤ 150 KB)"
    )
    print(
        "one live update (a new offer: SSE wake-ups + fragments re-read): "
        f"median {statistics.median(updates):,.0f} B, "
        f"max {max(updates):,} B (target ≤ 20 KB)"
    )


if __name__ == "__main__":
    main()
