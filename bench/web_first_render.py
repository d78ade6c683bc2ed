"""First render and page weight of a web page of the central server, on a phone under « Slow 3G ».

A real `centrale-server` (SQLite), Debian's headless Chromium (tests/support/browser.py): each run
opens `--path` in a fresh phone context (360×740, empty cache, no service worker), throttled like
Chrome DevTools' Slow 3G (2 s latency, 50 kB/s; `--cpu 4` adds Lighthouse's CPU slowdown), and
reads the first contentful paint, the load event and the bytes on the wire (encoded, headers
included) by resource type. Then a second visit in the same context (HTTP cache and, once the web
app has one, its service worker) gives the repeat-visit figures.

Until the /pro/ pages exist it measures the health check (a JSON page Chromium renders). With
`--login USER --password P`, the context logs in through the API first and carries the token as
`Authorization` (a placeholder for the web app's own login, to adapt when its pages exist).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import BrowserContext, sync_playwright

from tests.support.browser import (
    SLOW_3G,
    context_options,
    emulate_cpu,
    emulate_network,
    first_contentful_paint_ms,
    launch,
    record_transfers,
)
from tests.support.server_process import ServerProcess


def visit(context: BrowserContext, url: str, cpu: float) -> tuple[float | None, float, int, dict[str, int]]:
    page = context.new_page()
    emulate_network(page, SLOW_3G)
    if cpu > 1:
        emulate_cpu(page, cpu)
    log = record_transfers(page)
    started = time.monotonic()
    page.goto(url, wait_until="load", timeout=120_000)
    loaded = time.monotonic() - started
    painted = first_contentful_paint_ms(page)
    log.settle(timeout_s=120)
    figures = (painted, loaded, log.total_bytes(), log.bytes_by_type())
    page.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--path", default="/api/v1/health")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cpu", type=float, default=1.0, help="CPU slowdown (Lighthouse mobile: 4)")
    parser.add_argument("--login", help="username to log in through the API first")
    parser.add_argument("--password", default="")
    args = parser.parse_args()

    first: list[tuple[float | None, float, int, dict[str, int]]] = []
    repeat: list[tuple[float | None, float, int, dict[str, int]]] = []
    with tempfile.TemporaryDirectory() as directory:
        server = ServerProcess(f"sqlite:///{Path(directory) / 'centrale.sqlite3'}", Path(directory))
        server.start()
        try:
            headers: dict[str, str] = {}
            if args.login:
                with server.client() as client:
                    credentials = {"username": args.login, "password": args.password}
                    response = client.post("/auth/login", json=credentials)
                    response.raise_for_status()
                    headers["Authorization"] = f"Bearer {response.json()['access_token']}"
            with sync_playwright() as playwright:
                browser = launch(playwright)
                for _ in range(args.runs):
                    options = context_options(browser, "phone")
                    context = browser.new_context(**options, extra_http_headers=headers)
                    first.append(visit(context, server.base_url + args.path, args.cpu))
                    repeat.append(visit(context, server.base_url + args.path, args.cpu))
                    context.close()
                browser.close()
        except httpx.HTTPError as exc:
            raise SystemExit(f"login: {exc}") from exc
        finally:
            server.stop()

    for name, runs in (("first visit", first), ("repeat visit", repeat)):
        paints = [p for p, _, _, _ in runs if p is not None]
        loads = [load for _, load, _, _ in runs]
        _, _, weight, by_type = sorted(runs, key=lambda run: run[2])[len(runs) // 2]  # the median run
        fcp = (
            f"median {statistics.median(paints):.0f} ms, max {max(paints):.0f} ms"
            if paints
            else "never painted"
        )
        print(
            f"{args.path} {name}, phone, Slow 3G, CPU ×{args.cpu:g}, {len(runs)} runs: "
            f"first contentful paint {fcp}; load median {statistics.median(loads):.2f} s; "
            f"{weight:,.0f} B on the wire "
            f"({', '.join(f'{kind} {size:,}' for kind, size in sorted(by_type.items()))})"
        )


if __name__ == "__main__":
    main()
