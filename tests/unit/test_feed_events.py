"""The change feed's typed events (shared/schemas/feed.py): the wire stays what it was, both ways."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from server.services.feed import append_event
from server.services.patients import TIMELINE_KINDS
from shared.domain import PrescriptionState
from shared.schemas.dispatch import EventView
from shared.schemas.feed import (
    EVENT_MODELS,
    CallChange,
    EventType,
    FeedEvent,
    PatientChange,
    PrescriptionAccepted,
    PrescriptionChange,
    PrescriptionExpired,
    PrescriptionSent,
    RoundChange,
    parse_event,
    payload_of,
)

AT = datetime(2026, 12, 4, 18, 27, 55, 255844, tzinfo=UTC)
PATIENT = {"patient_id": 1, "version": 3}

# One event of each type as the server sent it before the events were typed (read off /changes).
WIRE: dict[str, dict[str, Any]] = {
    "patient_created": {"patient_id": 1, "version": 1},
    "patient_updated": {"patient_id": 1, "version": 2},
    "patient_usual_professionals": PATIENT,
    "patient_case": PATIENT,
    "patient_comment": PATIENT,
    "patient_document": PATIENT,
    "patient_visit": PATIENT,
    "patient_report": PATIENT,
    "patient_series_ended": PATIENT,
    "prescription_sent": {
        "round": 1,
        "state": "pending",
        "notified_count": 1,
        "priority_until": "2026-12-04T18:47:55.255844+00:00",
        "deadline_at": "2026-12-04T19:07:55+00:00",
    },
    "prescription_pool_opened": {"round": 1, "notified_count": 3, "added": 2},
    "prescription_declined": {"round": 1, "user_id": 4},
    "prescription_accepted": {"round": 1, "accepted_by": 5, "accepted_by_name": "MARTIN Jean-Marc"},
    "prescription_started": {"round": 1, "user_id": 5},
    "prescription_finished": {"round": 1, "user_id": 5},
    "prescription_commented": {"comment_id": 1, "user_id": 2, "tag": "accès"},
    "prescription_document_added": {
        "document_id": 1,
        "user_id": 2,
        "content_type": "application/pdf",
        "size": 15,
    },
    "prescription_cancelled": {"round": 1, "reason": "Patient hospitalisé", "by": 2},
    "prescription_renewed": {
        "round": 2,
        "label": "2e Déclenchement",
        "notified_count": 1,
        "deadline_at": "2026-12-04T19:18:55.384526+00:00",
        "priority_until": None,
    },
    "prescription_expired": {"round": 2},
    "prescription_visited": {"visit_id": 3, "user_id": 5, "done": 2, "planned": 6},
    "prescription_reported": {"report_id": 4, "user_id": 5},
    "prescription_series_ended": {"round": 1, "user_id": 5, "state": "finished"},
    "incident_reported": {"incident_id": 1, "network_ids": [3, 7]},
    "message_posted": {"thread_id": 4, "participant_ids": [2, 5], "message_id": 31, "author_id": 2},
    "thread_participants_changed": {"thread_id": 4, "participant_ids": [2, 5, 9], "added": [9], "left": None},
    "thread_read": {"thread_id": 4, "participant_ids": [2, 5], "user_id": 5, "up_to_message_id": 31},
    "call_recorded": {
        "call_id": "b6be552f-c1e0-4fda-952a-72fbb76984a1",
        "operator_id": 2,
        "outcome": "missed",
        "new": True,
    },
    "call_callback": {"call_id": "b6be552f-c1e0-4fda-952a-72fbb76984a1", "operator_id": 2},
    "agent_state_changed": {
        "user_id": 4,
        "state": "pause",
        "pause_reason": "unanswered",
        "automatic": "unanswered",
    },
    "hotline_queue_changed": {"entry_id": 9, "state": "waiting", "waiting": 2},
}


def view(type_: str, data: dict[str, Any], seq: int = 7) -> EventView:
    about_prescription = type_.startswith("prescription_")
    return EventView(
        seq=seq,
        type=type_,
        at=AT,
        case_id=4 if about_prescription else None,
        prescription_id=11 if about_prescription else None,
        data=data,
    )


def test_the_types_are_a_closed_set_with_one_model_each() -> None:
    assert set(EVENT_MODELS) == set(EventType) == {EventType(t) for t in WIRE}
    assert len(set(EVENT_MODELS.values())) == len(EventType)
    for type_, model in EVENT_MODELS.items():
        assert model.TYPE is type_
        assert model.model_config.get("frozen") is True


@pytest.mark.parametrize("type_", sorted(WIRE))
def test_every_type_round_trips_to_the_same_wire_data(type_: str) -> None:
    wire = view(type_, WIRE[type_])
    event = parse_event(wire)
    assert event is not None
    assert event.type == type_
    assert isinstance(event.payload, EVENT_MODELS[EventType(type_)])
    assert (event.seq, event.at, event.case_id, event.prescription_id) == (
        7,
        AT,
        wire.case_id,
        wire.prescription_id,
    )
    again = event.view()
    assert again == wire
    assert list(again.data) == list(WIRE[type_])  # same keys, in the same order
    assert again.model_dump_json() == wire.model_dump_json()


def test_payloads_are_typed_and_frozen() -> None:
    event = parse_event(view("prescription_sent", WIRE["prescription_sent"]))
    assert event is not None
    sent = event.payload
    assert isinstance(sent, PrescriptionSent)
    assert sent.state is PrescriptionState.PENDING
    assert sent.deadline_at == datetime(2026, 12, 4, 19, 7, 55, tzinfo=UTC)
    assert isinstance(sent, RoundChange)
    assert isinstance(sent, PrescriptionChange)
    with pytest.raises(ValidationError):
        sent.round = 2  # type: ignore[misc]


def test_families_let_a_consumer_match_without_strings() -> None:
    def family(type_: str) -> str:
        event = parse_event(view(type_, WIRE[type_]))
        assert event is not None
        match event.payload:
            case PrescriptionAccepted(accepted_by_name=name):
                return f"accepted by {name}"
            case PrescriptionChange():
                return "prescription"
            case PatientChange(patient_id=patient_id):
                return f"patient {patient_id}"
            case CallChange():
                return "call"
            case _:
                return "other"

    assert family("prescription_accepted") == "accepted by MARTIN Jean-Marc"
    assert {t: family(t) for t in WIRE if t.startswith("prescription_") and t != "prescription_accepted"} == {
        t: "prescription" for t in WIRE if t.startswith("prescription_") and t != "prescription_accepted"
    }
    assert all(family(t) == "patient 1" for t in WIRE if t.startswith("patient_") and t != "patient_created")
    assert family("call_callback") == family("call_recorded") == "call"
    assert family("incident_reported") == "other"


def test_an_unknown_type_from_a_newer_server_is_skipped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="centrale.feed"):
        assert parse_event(view("patient_merged", {"patient_id": 1}, seq=41)) is None
    [record] = caplog.records
    assert record.levelno == logging.INFO
    assert "41" in record.getMessage()
    assert "patient_merged" in record.getMessage()
    with pytest.raises(ValueError, match="patient_merged"):
        payload_of("patient_merged", {"patient_id": 1})


def test_a_known_type_with_data_that_does_not_fit_is_skipped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = {"round": "deux", "user_id": 4}
    with caplog.at_level(logging.INFO, logger="centrale.feed"):
        assert parse_event(view("prescription_declined", broken, seq=42)) is None
        assert parse_event(view("call_callback", {}, seq=43)) is None
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.WARNING]
    assert "42" in caplog.records[0].getMessage()
    with pytest.raises(ValidationError):
        payload_of("prescription_declined", broken)


def test_keys_added_by_a_newer_server_are_ignored() -> None:
    event = parse_event(view("prescription_expired", {"round": 2, "reason": "délai"}))
    assert event is not None
    assert event.payload == PrescriptionExpired(round=2)
    assert event.view().data == {"round": 2}


def test_the_server_refuses_a_prescription_event_without_its_prescription() -> None:
    # Raised before the session is used: no database needed.
    with pytest.raises(ValueError, match="prescription_expired"):
        append_event(cast(Session, None), PrescriptionExpired(round=1), AT, case_id=4)


def test_a_feed_event_is_what_the_desktop_handles() -> None:
    payload = PrescriptionExpired(round=1)
    event = FeedEvent(seq=3, at=AT, case_id=4, prescription_id=11, payload=payload)
    assert event.type is EventType.PRESCRIPTION_EXPIRED
    assert event.view().type == "prescription_expired"  # a StrEnum: its value is the wire string
    assert parse_event(event.view()) == event


def test_every_patient_change_has_its_timeline_kind() -> None:
    changes = {m for m in EVENT_MODELS.values() if issubclass(m, PatientChange)}
    assert set(TIMELINE_KINDS) == changes
    # The wire type was built from the timeline kind before the events were typed: they still agree.
    assert {change.TYPE.value: f"patient_{kind}" for change, kind in TIMELINE_KINDS.items()} == {
        change.TYPE.value: change.TYPE.value for change in changes
    }
