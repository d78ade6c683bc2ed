"""A view failing on a change-feed event never stops the others, and no view gets it twice."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from desktop.services.session import Session
from desktop.sync.client import ApiClient
from shared.domain import Role
from shared.schemas.auth import UserOut
from shared.schemas.dispatch import EventView
from shared.schemas.feed import FeedEvent, parse_event

EVENT = {"seq": 7, "type": "prescription_accepted", "at": "2026-11-27T09:00:00Z", "case_id": 1,
         "prescription_id": 2, "data": {"round": 1, "accepted_by": 5, "accepted_by_name": "X"}}  # fmt: skip


def test_a_failing_view_does_not_starve_the_others(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    user = UserOut(id=1, username="op", role=Role.OPERATOR, display_name="Op", network_ids=[])
    session = Session(ApiClient("http://127.0.0.1:9"), user, directory=tmp_path)
    seen: list[tuple[str, int]] = []

    def broken(event: FeedEvent) -> None:
        raise RuntimeError("Internal C++ object already deleted")

    first = lambda e: seen.append(("first", e.seq))  # noqa: E731
    last = lambda e: seen.append(("last", e.seq))  # noqa: E731
    session.on_event[:] = [first, broken, last]
    with caplog.at_level(logging.ERROR):
        typed = parse_event(EventView.model_validate(EVENT))
        assert typed is not None
        session.follower.handler(typed)  # what the follower calls
    assert seen == [("first", 7), ("last", 7)]
    assert "a view failed on event 7" in caplog.text
    session.store.close()
