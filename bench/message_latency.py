"""Message posted → visible in the other participants' open pages (« Messagerie », issue 20).

A real server, Debian's headless Chromium, two professionals each with their own browser context
(a phone and a desktop) on the same thread's page, and a hotline operator in the thread through
the JSON API. For each message: the operator's `POST /threads/{id}/messages` is sent (wall clock
taken just before), each page's MutationObserver notes when the message's line appears in the
thread (the same wall clock: `Date.now()`). The path measured: commit → the live hub → the web
fan-out → the SSE wake-up `thread-<id>` → htmx's fragment request (which also moves the reader's
read mark once sent) → the swap. One sample per page per message, 0.1 s between messages
(`--pause`). Target: p95 ≤ 200 ms over 200 messages.
"""

from __future__ import annotations

import argparse
import time

from playwright.sync_api import Browser, Page, sync_playwright

from bench.web_support import live_server, summary
from tests.support.browser import context_options, launch
from tests.support.dispatch import Desk
from tests.support.live import LiveServer, unique_name
from tests.support.web_pages import log_in

OBSERVER = """() => {
    window.__seen = {};
    new MutationObserver(() => {
        const list = document.querySelector('#fil');
        const text = list ? list.textContent : '';
        for (const match of text.matchAll(/Message n°(\\d+) /g)) {
            window.__seen[match[1]] = window.__seen[match[1]] || Date.now();
        }
    }).observe(document.querySelector('main'), {childList: true, subtree: true, characterData: true});
}"""


def open_thread(browser: Browser, server: LiveServer, username: str, viewport: str, thread_id: int) -> Page:
    # bypass_csp: Playwright's wait_for_function polls through eval, which the page's CSP refuses.
    options = context_options(browser, viewport)
    context = browser.new_context(**options, base_url=server.process.base_url, bypass_csp=True)
    page: Page = context.new_page()
    log_in(page, username)
    page.goto(f"/pro/messagerie/{thread_id}")
    page.wait_for_function("() => document.getElementById('diode').dataset.state === 'connected'", polling=50)
    page.evaluate(OBSERVER)
    return page


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    # Between messages: the pages' read marks (and their « vu par » wake-ups) settle, as between
    # two messages people type; --pause 0 sends them back to back.
    parser.add_argument("--pause", type=float, default=0.1)
    args = parser.parse_args()
    delays: list[float] = []
    with live_server(args.database) as server, sync_playwright() as playwright:
        desk = Desk.open(server)
        _user, api = desk.staff("operator")
        people = [server.professional(last_name=unique_name("Banc"))[0] for _ in range(2)]
        created = api.post(
            "/threads",
            json={"participant_ids": [p["user_id"] for p in people], "subject": "Banc", "text": "Début"},
        )
        assert created.status_code == 201, created.text
        thread_id = int(created.json()["id"])
        browser = launch(playwright)
        pages = [
            open_thread(browser, server, p["username"], viewport, thread_id)
            for p, viewport in zip(people, ("phone", "desktop"), strict=True)
        ]
        for n in range(1, args.messages + 1):
            sent_at = time.time() * 1000
            response = api.post(f"/threads/{thread_id}/messages", json={"text": f"Message n°{n} du banc"})
            assert response.status_code == 201, response.text
            for page in pages:
                page.wait_for_function(
                    "(n) => window.__seen[n] !== undefined", arg=str(n), timeout=10_000, polling=10
                )
                delays.append(page.evaluate("(n) => window.__seen[n]", str(n)) - sent_at)
            time.sleep(args.pause)
        browser.close()
        desk.close()
    print(
        f"message posted → visible in the 2 other participants' open pages ({args.database}, Chromium): "
        f"{summary(delays)} — target p95 ≤ 200 ms"
    )


if __name__ == "__main__":
    main()
