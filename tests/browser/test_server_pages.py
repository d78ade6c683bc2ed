"""The fixtures against pages the server has today: the health check and the API docs, in both
viewports, each in a fresh profile, and nothing leaving the machine."""

from __future__ import annotations

import json

from playwright.sync_api import Page

from tests.support.browser import problems_of
from tests.support.browser_fixtures import NewContext
from tests.support.live import LiveServer


def test_health_answers_in_both_viewports(page: Page) -> None:
    response = page.goto("/api/v1/health")
    assert response is not None
    assert response.status == 200
    assert json.loads(page.locator("body").inner_text())["status"] == "ok"


def test_the_docs_page_gets_each_viewport_and_its_cdn_is_refused(page: Page) -> None:
    response = page.goto("/api/v1/docs")
    assert response is not None
    assert response.status == 200
    assert page.title() == "Centrale — serveur central - Swagger UI"
    # The docs page has <meta name="viewport" content="width=device-width">: the phone lays it
    # out 360 px wide with a coarse (touch) pointer, the desktop 1280 px with a mouse.
    width, touch, coarse = page.evaluate(
        "() => [innerWidth, navigator.maxTouchPoints > 0, matchMedia('(pointer: coarse)').matches]"
    )
    if page.viewport_size == {"width": 360, "height": 740}:
        assert (width, touch, coarse) == (360, True, True)
        assert "Mobile" in page.evaluate("navigator.userAgent")
    else:
        assert (width, touch, coarse) == (1280, False, False)
    assert page.evaluate("navigator.language") == "fr-FR"
    # Swagger UI comes from a CDN: Chromium resolves no name but loopback, so those requests fail
    # at once, and the context's watch lists them (a /pro/ page doing that would fail its test).
    problems = problems_of(page)
    assert any(url.startswith("https://cdn.jsdelivr.net/") for url in problems.offsite), problems.report()
    problems.clear()


def test_each_context_is_a_fresh_profile(new_context: NewContext, web_server: LiveServer) -> None:
    base = web_server.process.base_url
    first = new_context("phone", base_url=base).new_page()
    first.goto("/api/v1/health")
    first.evaluate("() => { localStorage.setItem('vu', '1'); document.cookie = 'vu=1; path=/' }")
    assert first.evaluate("localStorage.getItem('vu')") == "1"
    second = new_context("phone", base_url=base).new_page()
    second.goto("/api/v1/health")
    assert second.evaluate("[localStorage.getItem('vu'), document.cookie]") == [None, ""]


def test_an_uncaught_error_is_reported_by_the_watch(desktop_page: Page) -> None:
    desktop_page.goto("/api/v1/health")
    desktop_page.evaluate("() => { setTimeout(() => { throw new Error('boum') }); console.error('aïe') }")
    problems = problems_of(desktop_page)
    for _ in range(100):  # the error event arrives after the timer fired
        if problems.errors and problems.console_errors:
            break
        desktop_page.wait_for_timeout(50)
    assert any("boum" in error for error in problems.errors), problems.report()
    assert any("aïe" in text for text in problems.console_errors), problems.report()
    problems.clear()
