"""A missing SIP tool skips the telephony tests on a workstation and fails them under CI."""

from __future__ import annotations

import pytest

from tests.support.kamailio import require


def test_a_missing_tool_skips_without_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="paquet Debian absent-pkg"):
        require("centrale-no-such-tool", "absent-pkg")


def test_a_missing_tool_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="centrale-no-such-tool introuvable"):
        require("centrale-no-such-tool", "absent-pkg")
