"""Messaging's rules that need no server (issue 20): what a notice says, whom a thread's event wakes
on the web, what a message's text may be."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from server.errors import Invalid
from server.services.messaging_messages import checked_text
from server.services.messaging_notices import content
from server.web.live import targets_of
from shared.schemas.dispatch import EventView
from shared.schemas.feed_activity import MessagePosted, ThreadParticipantsChanged, ThreadRead
from shared.schemas.feed_types import EventPayload
from shared.schemas.messaging import MESSAGE_TEXT_MAX


def test_a_notice_names_the_author_and_the_subject_only() -> None:
    told = content(42, "Dr Anne MARTIN", "Pansement du lundi")
    assert told.text == "Nouveau message de Dr Anne MARTIN dans « Pansement du lundi »."
    assert told.title == "Nouveau message"
    assert told.url == "/pro/messagerie/42"
    assert told.subject == "Centrale : nouveau message de Dr Anne MARTIN"
    assert told.push_text is None  # the push says no more than the SMS
    assert content(7, "Bruno", None).text == "Nouveau message de Bruno."
    assert content(7, "Bruno", "x" * 120).text == f"Nouveau message de Bruno dans « {'x' * 59}… »."


def _event(seq: int, payload: EventPayload) -> EventView:
    return EventView(
        seq=seq,
        type=payload.TYPE.value,
        at=datetime.now(UTC),
        case_id=None,
        prescription_id=None,
        data=payload.data(),
    )


def _targets(*events: EventView) -> dict[int, set[str]]:
    engine = create_engine("sqlite://")  # no table: a thread's event needs no query
    with Session(engine) as session:
        return dict(targets_of(session, list(events)))


def test_a_thread_event_wakes_its_participants_and_who_left() -> None:
    posted = _event(1, MessagePosted(thread_id=5, participant_ids=(1, 2), message_id=9, author_id=1))
    assert _targets(posted) == {1: {"messages", "thread-5"}, 2: {"messages", "thread-5"}}
    left = _event(2, ThreadParticipantsChanged(thread_id=6, participant_ids=(2, 3), left=4))
    assert _targets(left) == {
        2: {"messages", "thread-6"},
        3: {"messages", "thread-6"},
        4: {"messages", "thread-6"},
    }
    # A read mark: the reader's badges; the others' page of the thread (« vu par »).
    read = _event(3, ThreadRead(thread_id=5, participant_ids=(1, 2), user_id=2, up_to_message_id=9))
    assert _targets(read) == {1: {"thread-5"}, 2: {"messages"}}
    assert _targets(posted, left, read) == {
        1: {"messages", "thread-5"},
        2: {"messages", "thread-5", "thread-6"},
        3: {"messages", "thread-6"},
        4: {"messages", "thread-6"},
    }


def test_a_message_text() -> None:
    assert checked_text("Bonjour", with_files=False) == "Bonjour"
    assert checked_text("  ", with_files=True) == ""  # a photo alone
    for wrong, code in [
        ("", "text_invalid"),
        ("a\x00b", "text_invalid"),
        ("x" * (MESSAGE_TEXT_MAX + 1), "text_too_long"),
    ]:
        with pytest.raises(Invalid) as refused:
            checked_text(wrong, with_files=False)
        assert refused.value.code == code
