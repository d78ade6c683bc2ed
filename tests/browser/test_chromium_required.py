"""Like PostgreSQL, pcscd and Kamailio: under CI a missing Chromium fails the run, else it skips."""

from __future__ import annotations

import pytest

from tests.support.browser import CHROMIUM_ENV
from tests.support.browser_fixtures import require_chromium


def test_a_missing_chromium_fails_under_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CHROMIUM_ENV, "/nonexistent/chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI exige Chromium"):
        require_chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="paquet Debian chromium"):
        require_chromium()
