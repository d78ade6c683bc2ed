"""Every event the server emits parses with the typed feed (shared/schemas/feed.py), on SQLite and
PostgreSQL, and reads back to exactly what was sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared.schemas.dispatch import EventView
from shared.schemas.feed import EventType, PrescriptionChange, parse_event, payload_of
from tests.integration.care_scenes import care_events
from tests.support.dispatch import Desk
from tests.support.feed_scenario import every_event
from tests.support.live import LiveServer


@pytest.fixture(scope="module")
def events(clock_server: LiveServer) -> Iterator[list[dict[str, Any]]]:
    desk = Desk.open(clock_server)
    try:
        # The hotline's scenario, then the professionals' care loop (visits, reports, end of series).
        yield every_event(desk) + care_events(desk)
    finally:
        desk.close()


def test_the_scenario_emits_every_type(events: list[dict[str, Any]]) -> None:
    assert {e["type"] for e in events} == set(EventType)


def test_every_emitted_event_parses_strictly_and_reads_back_the_same(events: list[dict[str, Any]]) -> None:
    for raw in events:
        payload = payload_of(raw["type"], raw["data"])  # raises if the data does not fit
        assert payload.data() == raw["data"]
        assert list(payload.data()) == list(raw["data"])
        event = parse_event(EventView.model_validate(raw))
        assert event is not None
        assert event.view().model_dump(mode="json") == raw


def test_prescription_events_name_their_prescription_and_the_others_none(
    events: list[dict[str, Any]],
) -> None:
    for raw in events:
        event = parse_event(EventView.model_validate(raw))
        assert event is not None
        about_prescription = isinstance(event.payload, PrescriptionChange)
        assert (event.case_id is not None, event.prescription_id is not None) == (
            about_prescription,
            about_prescription,
        ), raw
