"""Browser tests: Debian's headless Chromium through Playwright, against a real centrale-server.

The fixtures are tests/support/browser_fixtures.py's (documented there and in
docs/webapp-testing.md); the helpers (axe, network emulation, bytes on the wire) are
tests/support/browser.py's.
"""

from __future__ import annotations

from tests.support.browser_fixtures import (
    browser,
    chromium,
    desktop_page,
    new_context,
    page,
    phone_page,
    web_server,
)

__all__ = ["browser", "chromium", "desktop_page", "new_context", "page", "phone_page", "web_server"]
