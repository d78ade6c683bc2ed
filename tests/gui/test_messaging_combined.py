"""Issue 20's combined test: two professionals in Chromium (two browser contexts, the web app's
« Messagerie ») and the desktop (an operator, offscreen Qt) in one thread on one real server. A
message posted by each appears in the two others within 1 s (the delays asserted); the unread
counts follow (the desktop's tab badge, the web menu's badge), and go when read.

Playwright's sync API cannot run inside the qasync loop (one thread, one loop): the browsers live
on a thread of their own (``BrowserThread``), every page call goes there, and both sides time
with the same monotonic clock."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.ui.messaging import Messaging
from tests.support.browser import context_options, launch
from tests.support.browser_fixtures import require_chromium
from tests.support.dispatch import Desk
from tests.support.gui import close_main_window, open_main_window, press, run, type_text, wait_for
from tests.support.live import PASSWORD, LiveServer, unique_name
from tests.support.web_pages import log_in

LIVE_LIMIT_S = 1.0
T = TypeVar("T")


class BrowserThread:
    """One Chromium owned by one thread; ``call`` runs a function there and awaits it."""

    def __init__(self, chromium: str) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self.playwright: Playwright | None = None
        self.browser: Browser | None = None
        self.pool.submit(self._start, chromium).result()

    def _start(self, chromium: str) -> None:
        self.playwright = sync_playwright().start()
        self.browser = launch(self.playwright, chromium)

    def page(self, base_url: str, username: str) -> Page:
        """A fresh logged-in profile (called on the browser's thread)."""
        assert self.browser is not None
        context = self.browser.new_context(**context_options(self.browser, "desktop"), base_url=base_url)
        page = context.new_page()
        log_in(page, username)
        return page

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.pool, function, *args)

    def close(self) -> None:
        def stop() -> None:
            if self.browser is not None:
                self.browser.close()
            if self.playwright is not None:
                self.playwright.stop()

        self.pool.submit(stop).result()
        self.pool.shutdown()


@pytest.fixture
def browsers() -> Iterator[BrowserThread]:
    chromium = require_chromium()
    made = BrowserThread(chromium)
    yield made
    made.close()


def messages(page: Page) -> Any:
    return page.locator("#fil li.message")


def appears(page: Page, text: str, started: float) -> float:
    """Seconds from ``started`` until ``text`` is a message of the open thread page."""
    expect(messages(page).filter(has_text=text)).to_have_count(1, timeout=5_000)
    return time.monotonic() - started


def post_from(page: Page, text: str) -> float:
    """Types and sends from the thread page; the moment « Envoyer » was clicked."""
    page.locator("#texte-message").fill(text)
    started = time.monotonic()
    page.get_by_role("button", name="Envoyer").click()
    return started


def open_thread(page: Page, thread_id: int) -> None:
    page.goto(f"/pro/messagerie/{thread_id}")
    expect(page.locator("#diode")).to_have_attribute("data-state", "connected")


def test_two_browsers_and_the_desktop_in_one_thread(
    qapp: QApplication,
    loop: asyncio.AbstractEventLoop,
    gui_server: LiveServer,
    browsers: BrowserThread,
    tmp_path: Path,
) -> None:
    desk = Desk.open(gui_server)
    user, operator_api = desk.staff("operator")
    anne_last, bruno_last = unique_name("Anne"), unique_name("Bruno")
    anne, _anne_api = gui_server.professional(last_name=anne_last, first_name="Lou")
    bruno, _bruno_api = gui_server.professional(last_name=bruno_last, first_name="Max")
    base_url = gui_server.process.base_url

    async def body() -> None:
        window = await open_main_window(base_url, user["username"], PASSWORD, tmp_path)
        messaging = window.messaging
        assert isinstance(messaging, Messaging)
        view = messaging.view
        page_a = await browsers.call(browsers.page, base_url, anne["username"])
        page_b = await browsers.call(browsers.page, base_url, bruno["username"])
        try:
            # The operator starts the thread from the desktop, by keyboard.
            await press(window, Qt.Key.Key_8, Qt.KeyboardModifier.AltModifier)
            await wait_for(lambda: view.loaded, what="the list read")
            await press(
                window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
            )
            dialog = await wait_for(lambda: view.new_dialog, what="« Nouveau message »")
            for last, person in ((anne_last, anne), (bruno_last, bruno)):
                dialog.picker.search.clear()
                await type_text(dialog, last)
                wanted = int(person["user_id"])
                await wait_for(lambda: dialog.picker.tick(wanted), what=f"{last} found")  # noqa: B023
            dialog.subject.setFocus()
            await type_text(dialog, "Trois participants")
            dialog.text.setFocus()
            await type_text(dialog, "Bonjour à vous deux.")
            await press(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            opened = await wait_for(lambda: messaging.service.open_thread, what="the thread open")
            thread_id = opened.thread.id
            await browsers.call(open_thread, page_a, thread_id)
            await browsers.call(open_thread, page_b, thread_id)

            # The desktop writes: both pages show it within a second.
            view.pane.compose.text.setFocus()
            await type_text(view, "La centrale écrit.")
            started = time.monotonic()
            await press(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            delay_a = await browsers.call(appears, page_a, "La centrale écrit.", started)
            delay_b = await browsers.call(appears, page_b, "La centrale écrit.", started)
            assert max(delay_a, delay_b) < LIVE_LIMIT_S, (delay_a, delay_b)

            # Each professional writes: the other page and the desktop show it within a second.
            for writer, reader, text in ((page_a, page_b, "Anne répond."), (page_b, page_a, "Bruno répond.")):
                sent_at = await browsers.call(post_from, writer, text)
                await wait_for(lambda: any(text in line for line in view.pane.texts()), what=text)  # noqa: B023
                on_desktop = time.monotonic() - sent_at
                on_page = await browsers.call(appears, reader, text, sent_at)
                assert max(on_desktop, on_page) < LIVE_LIMIT_S, (text, on_desktop, on_page)

            # Unread counts: the desktop away from its tab counts Anne's next message; Bruno's page,
            # on the list, shows its menu badge; both go once read.
            await press(window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
            await browsers.call(page_b.goto, "/pro/messagerie")
            await browsers.call(post_from, page_a, "Encore une chose.")
            await wait_for(lambda: view.tab_text() == "Messagerie (1)", what="the desktop's badge")
            await browsers.call(
                lambda: expect(page_b.locator("#unread-menu")).to_have_text(re.compile(r"^1"), timeout=5_000)
            )
            assert operator_api.get("/threads/unread").json()["unread_threads"] == 1
            await press(window, Qt.Key.Key_8, Qt.KeyboardModifier.AltModifier)
            await wait_for(lambda: view.tab_text() == "Messagerie", what="the desktop's badge gone")
            await browsers.call(open_thread, page_b, thread_id)
            await browsers.call(
                lambda: expect(page_b.locator("#unread-menu")).to_have_text("", timeout=5_000)
            )
            await wait_for(
                lambda: operator_api.get("/threads/unread").json()["unread_threads"] == 0,
                what="read on the server",
            )
            texts = [m["text"] for m in operator_api.get(f"/threads/{thread_id}/messages").json()["items"]]
            assert texts == [
                "Bonjour à vous deux.",
                "La centrale écrit.",
                "Anne répond.",
                "Bruno répond.",
                "Encore une chose.",
            ]
            # « vu par » on the desktop: both professionals read the thread.
            await wait_for(
                lambda: any(anne_last.lower() in t.lower() and "Vu par" in t for t in view.pane.texts()),
                what="« vu par » Anne",
            )
        finally:
            await close_main_window(window)

    try:
        run(loop, body(), timeout=120)
    finally:
        desk.close()
