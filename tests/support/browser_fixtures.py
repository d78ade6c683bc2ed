"""The browser tests' fixtures, for the conftest of each folder that has browser tests (like
pcsc_fixtures): import them there by name.

- ``web_server``: a real ``centrale-server`` on SQLite for the folder, with the administrator of
  tests.support.live (``web_server.admin()``); tests make the accounts they need through the API,
  as the integration tests do (``web_server.professional()`` → its profile and a logged-in client;
  its password is tests.support.live.PASSWORD), or load the demo data
  (``web_server.process.cli("seed-demo")``: ``pro01`` … / ``professionnel-demo``);
- ``browser``: one headless Chromium for the folder;
- ``new_context(viewport, base_url=…)``: a fresh profile ("phone": 360×740, mobile, touch;
  "desktop": 1280×800), watched: the test fails if a page asked for an address off the machine,
  threw an uncaught error or wrote console.error, unless the test asserted and cleared them
  (``problems_of(page).clear()``);
- ``phone_page``, ``desktop_page``: a page of such a context on ``web_server`` (relative URLs:
  ``page.goto("/pro/")``); ``page``: the same test once per viewport.

Package scope for the server and the browser: they stop once the folder's tests are done.
With CI set, a missing Chromium fails the run; otherwise the tests are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.integration.conftest import start_live
from tests.support.browser import (
    ChromiumUnavailable,
    chromium_path,
    context_options,
    launch,
    problems_of,
    required,
    watch,
)
from tests.support.live import LiveServer

NewContext = Callable[..., BrowserContext]


@pytest.fixture(scope="package")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from start_live("sqlite", tmp_path_factory.mktemp("web-server"))


def require_chromium() -> str:
    """Chromium's path; without it the test fails under CI and is skipped otherwise."""
    try:
        return chromium_path()
    except ChromiumUnavailable as exc:
        if required():
            pytest.fail(f"CI exige Chromium : {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="package")
def chromium() -> str:
    return require_chromium()


@pytest.fixture(scope="package")
def browser(chromium: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright, chromium)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[NewContext]:
    contexts: list[BrowserContext] = []

    def make(viewport: str = "desktop", base_url: str | None = None, **overrides: Any) -> BrowserContext:
        options = context_options(browser, viewport)
        if base_url is not None:
            options["base_url"] = base_url
        context = browser.new_context(**{**options, **overrides})
        context.set_default_timeout(10_000)
        watch(context)
        contexts.append(context)
        return context

    yield make
    reports = [problems_of(context).report() for context in contexts if problems_of(context)]
    for context in contexts:
        context.close()
    if reports:
        pytest.fail("problèmes dans les pages :\n" + "\n".join(reports), pytrace=False)


def _page(new_context: NewContext, web_server: LiveServer, viewport: str) -> Page:
    return new_context(viewport, base_url=web_server.process.base_url).new_page()


@pytest.fixture
def phone_page(new_context: NewContext, web_server: LiveServer) -> Page:
    return _page(new_context, web_server, "phone")


@pytest.fixture
def desktop_page(new_context: NewContext, web_server: LiveServer) -> Page:
    return _page(new_context, web_server, "desktop")


@pytest.fixture(params=["phone", "desktop"])
def page(request: pytest.FixtureRequest, new_context: NewContext, web_server: LiveServer) -> Page:
    return _page(new_context, web_server, request.param)
