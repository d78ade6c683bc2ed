"""Case sent by the hotline → the offer visible in a professional's open page.

A real server, Debian's headless Chromium on a phone context, a nurse logged in on « Tableau de
bord ». For each case: the operator's `POST /cases` is sent (wall-clock time taken just before),
the page's MutationObserver notes when the offer's line appears in « Demandes en attente » (the
same wall clock: `Date.now()`), then the nurse declines it through the API and the page empties
again. The path measured: commit → the live hub → the web fan-out → the SSE wake-up → htmx's
fragment request → the swap. Target: p95 ≤ 300 ms over 100 cases.
"""

from __future__ import annotations

import argparse
import time

from playwright.sync_api import sync_playwright

from bench.web_support import live_server, summary
from tests.support.browser import context_options, launch
from tests.support.web_pages import Scene, log_in

OBSERVER = """() => {
    window.__seen = {};
    const list = () => document.querySelector('#liste-offres');
    new MutationObserver(() => {
        const text = list() ? list().textContent : '';
        for (const match of text.matchAll(/Soin n°(\\d+)/g)) {
            window.__seen[match[1]] = window.__seen[match[1]] || Date.now();
        }
    }).observe(document.querySelector('main'), {childList: true, subtree: true, characterData: true});
}"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    delays: list[float] = []
    with live_server(args.database) as server, sync_playwright() as playwright:
        scene = Scene.open(server)
        nurse = scene.nurse()
        browser = launch(playwright)
        # bypass_csp: Playwright's wait_for_function polls through eval, which the page's CSP refuses.
        options = context_options(browser, "phone")
        context = browser.new_context(**options, base_url=server.process.base_url, bypass_csp=True)
        page = context.new_page()
        log_in(page, nurse.profile["username"])
        page.wait_for_function(
            "() => document.getElementById('diode').dataset.state === 'connected'", polling=50
        )
        page.evaluate(OBSERVER)
        for n in range(1, args.cases + 1):
            sent_at = time.time() * 1000
            prescription_id = scene.send(care_type=f"Soin n°{n}")
            page.wait_for_function(
                "(n) => window.__seen[n] !== undefined", arg=str(n), timeout=10_000, polling=20
            )
            delays.append(page.evaluate("(n) => window.__seen[n]", str(n)) - sent_at)
            assert nurse.client.post(f"/prescriptions/{prescription_id}/decline").status_code == 200
            page.wait_for_function(
                "() => !document.querySelector('#liste-offres').textContent.includes('Soin n°')", polling=20
            )
        browser.close()
        scene.close()
    print(
        f"case sent → offer visible in an open page ({args.database}, phone, Chromium): {summary(delays)}"
        " — target p95 ≤ 300 ms"
    )


if __name__ == "__main__":
    main()
