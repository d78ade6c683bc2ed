"""A view failing on a change-feed event never stops the others, and no view gets it twice."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from desktop.sync.client import ApiClient
from desktop.ui.session import Session
from shared.domain import Role
from shared.schemas.auth import UserOut
from shared.schemas.dispatch import EventView

EVENT = {"seq": 7, "type": "prescription_accepted", "at": "2026-11-27T09:00:00Z",
         "case_id": 1, "prescription_id": 2, "data": {}}  # fmt: skip


def test_a_failing_view_does_not_starve_the_others(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    user = UserOut(id=1, username="op", role=Role.OPERATOR, display_name="Op", network_ids=[])
    session = Session(ApiClient("http://127.0.0.1:9"), user, directory=tmp_path)
    seen: list[tuple[str, int]] = []

    def broken(event: EventView) -> None:
        raise RuntimeError("Internal C++ object already deleted")

    first = lambda e: seen.append(("first", e.seq))  # noqa: E731
    last = lambda e: seen.append(("last", e.seq))  # noqa: E731
    session.on_event[:] = [first, broken, last]
    with caplog.at_level(logging.ERROR):
        session.follower.handler(EventView.model_validate(EVENT))  # what the follower calls
    assert seen == [("first", 7), ("last", 7)]
    assert "a view failed on event 7" in caplog.text
    session.store.close()
