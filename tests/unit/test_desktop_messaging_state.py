"""« Messagerie » in the desktop without Qt: which feed events are the user's, the thread list's
lines and badge (Europe/Paris times), the open thread's merged pages and « vu par », the compose
rules, the message notice (no text, no patient)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from desktop.state import messaging_compose as compose
from desktop.state.messaging import ThreadList, is_news_for, others_read, tab_title, thread_line, thread_of
from desktop.state.messaging_thread import OpenThread
from desktop.state.tray_notices import NoticeKind, message_notice
from shared.schemas.messaging import (
    MESSAGE_TEXT_MAX,
    PARTICIPANTS_MAX,
    MessageOut,
    MessagePage,
    RecipientOut,
    ThreadOut,
    ThreadPage,
)
from tests.support.feed_events import feed_event

ME = 7
NOW = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)  # 23:30 in Paris, the same day


def message(
    message_id: int, author: int = 9, text: str = "Bonjour", at: datetime = NOW, **extra: Any
) -> MessageOut:
    names = {ME: "Opératrice Centrale", 9: "Dr Jeanne Martin", 11: "Paul Infirmier"}
    return MessageOut.model_validate(
        {
            "id": message_id,
            "thread_id": extra.get("thread_id", 1),
            "author": {"id": author, "name": names.get(author, f"U{author}")},
            "text": text,
            "at": at,
            "attachments": extra.get("attachments", []),
        }
    )


def participant(user_id: int, name: str, mark: int | None = None, left: bool = False) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "name": name,
        "role": "operator" if user_id == ME else "professional",
        "detail": "",
        "joined_at": NOW,
        "left_at": NOW if left else None,
        "last_read_message_id": mark,
    }


def thread(thread_id: int = 1, *, unread: int = 0, last: MessageOut | None = None, **extra: Any) -> ThreadOut:
    return ThreadOut.model_validate(
        {
            "id": thread_id,
            "subject": extra.get("subject", "Pansement de Mme X"),
            "patient": extra.get("patient"),
            "prescription_id": extra.get("prescription_id"),
            "created_by": {"id": ME, "name": "Opératrice Centrale"},
            "created_at": NOW,
            "participants": extra.get(
                "participants",
                [participant(ME, "Opératrice Centrale", 0), participant(9, "Dr Jeanne Martin", 0)],
            ),
            "last_message": last,
            "last_message_at": last.at if last is not None else extra.get("at", NOW),
            "unread": unread,
            "left": extra.get("left", False),
            "archived": extra.get("archived", False),
        }
    )


def test_only_the_users_threads_are_kept_from_the_feed() -> None:
    posted = feed_event(
        "message_posted", 1, at=NOW, thread_id=4, participant_ids=(ME, 9), message_id=3, author_id=9
    )
    assert thread_of(posted, ME) == 4
    assert thread_of(posted, 12) is None  # someone else's thread: nothing read, nothing shown
    assert is_news_for(posted, ME)
    mine = feed_event(
        "message_posted", 2, at=NOW, thread_id=4, participant_ids=(ME, 9), message_id=4, author_id=ME
    )
    assert not is_news_for(mine, ME)  # what I wrote is no news to me
    left = feed_event("thread_participants_changed", 3, at=NOW, thread_id=4, participant_ids=(9,), left=ME)
    assert thread_of(left, ME) == 4  # the one who left hears of it once
    read = feed_event(
        "thread_read", 4, at=NOW, thread_id=4, participant_ids=(ME, 9), user_id=9, up_to_message_id=4
    )
    assert others_read(read, ME) is not None
    assert others_read(read, 9) is None
    case = feed_event("prescription_accepted", 5, at=NOW, prescription_id=3)
    assert thread_of(case, ME) is None


def test_list_lines_badge_and_order() -> None:
    threads = ThreadList(ME)
    older = thread(1, last=message(5, at=datetime(2026, 11, 26, 8, 0, tzinfo=UTC)))
    newer = thread(
        2, unread=2, last=message(8, text="Le pansement est fait\navec photo " + "x" * 200, thread_id=2)
    )
    threads.load(ThreadPage(items=[older, newer], total=2, unread_threads=1))
    assert [t.id for t in threads.ordered()] == [2, 1]  # the most recent message first
    assert threads.unread_threads == 1
    assert tab_title(threads.unread_threads) == "Messagerie (1)"
    assert tab_title(0) == "Messagerie"
    first, second = threads.lines(NOW)
    assert first.when == "23:30"  # today, in Paris (22:30 UTC)
    assert second.when == "26/11 09:00"  # another day, in Paris
    assert first.last.startswith("Dr Jeanne Martin : Le pansement est fait avec photo")
    assert first.last.endswith("…")
    assert len(first.last) < 160
    assert first.text().startswith("[2 non lus] Pansement de Mme X — Dr Jeanne Martin")
    threads.read_up_to(2, 8)
    assert threads.unread_threads == 0


def test_patient_named_only_when_allowed_and_notes() -> None:
    allowed = thread_line(thread(patient={"id": 3, "name": "DUPONT Jeanne"}), ME, NOW)
    assert allowed.patient == "Patient : DUPONT Jeanne"
    assert "DUPONT" in allowed.text()
    hidden = thread_line(thread(patient={"id": 3, "name": None}, left=True, archived=True), ME, NOW)
    assert hidden.patient == ""
    assert "DUPONT" not in hidden.text()
    assert "vous avez quitté" in hidden.text()
    assert "archivée" in hidden.text()
    gone = [participant(ME, "Moi"), participant(9, "Dr Jeanne Martin", left=True)]
    assert thread_line(thread(participants=gone), ME, NOW).participants == "Vous seul"


def test_open_thread_merges_pages_without_gap_or_duplicate() -> None:
    opened = OpenThread(thread(), ME)
    opened.first_page(MessagePage(items=[message(i) for i in (10, 11, 12)], has_more=True))
    assert opened.has_older
    assert opened.oldest_id == 10
    opened.older_page(MessagePage(items=[message(i) for i in (8, 9, 10)], has_more=False))
    fresh = opened.add(
        [message(12), message(13), message(14, thread_id=2)]
    )  # a repeat, a new, another thread's
    assert [m.id for m in fresh] == [13]
    assert [m.id for m in opened.ordered()] == [8, 9, 10, 11, 12, 13]
    assert not opened.has_older
    assert opened.mark_to_send() == 13
    opened.marked(13)
    assert opened.mark_to_send() is None
    assert opened.thread.unread == 0


def test_seen_by_shows_each_reader_once_where_their_reading_stopped() -> None:
    people = [
        participant(ME, "Moi", 0),
        participant(9, "Dr Jeanne Martin", 0),
        participant(11, "Paul Infirmier", 0),
    ]
    opened = OpenThread(thread(participants=people), ME)
    opened.first_page(
        MessagePage(
            items=[message(1, author=ME), message(2, author=ME), message(3, author=9)], has_more=False
        )
    )
    assert all(line.seen_by == "" for line in opened.lines())
    opened.read_mark(9, 2)
    opened.read_mark(11, 3)
    opened.read_mark(11, 1)  # never backwards
    seen = {line.message_id: line.seen_by for line in opened.lines()}
    assert seen == {1: "", 2: "Vu par Dr Jeanne Martin", 3: "Vu par Paul Infirmier"}
    assert opened.lines()[0].header.startswith("Vous — 27/11/2026 23:30")


def test_read_only_when_left_or_archived() -> None:
    assert OpenThread(thread(), ME).writable
    left = OpenThread(thread(left=True), ME)
    assert not left.writable
    assert "quitté" in left.read_only_note()
    assert "archivée" in OpenThread(thread(archived=True), ME).read_only_note()
    linked = OpenThread(thread(prescription_id=42, patient={"id": 3, "name": "DUPONT Jeanne"}), ME)
    assert "Demande n° 42" in linked.header()
    assert "DUPONT Jeanne" in linked.header()


def test_name_search_needs_three_letters() -> None:
    assert compose.search_query("du") is None
    assert compose.search_hint("du") == "Saisissez au moins 3 lettres du nom"
    assert compose.search_query("  dup ") == "dup"
    assert compose.search_query("d-u") is None  # letters, not characters
    assert compose.search_hint("dupo") == ""


def test_new_thread_body_and_its_refusals() -> None:
    new = compose.NewThread()
    with pytest.raises(compose.ComposeRefused) as refused:
        new.body()
    assert refused.value.errors == {"text": compose.TEXT_REQUIRED, "recipients": compose.NOBODY_TICKED}
    person = RecipientOut(user_id=9, name="Dr Jeanne Martin", role="professional", detail="Médecin, Évry")
    assert compose.recipient_text(person) == "Dr Jeanne Martin — Médecin, Évry"
    new.recipients.tick(person)
    new.text = "x" * (MESSAGE_TEXT_MAX + 1)
    with pytest.raises(compose.ComposeRefused) as too_long:
        new.body()
    assert too_long.value.errors["text"].startswith(f"Message de {MESSAGE_TEXT_MAX} caractères au plus")
    new.text, new.subject, new.prescription_id, new.patient_id = "Bonjour", "  Visite   du soir ", 42, 3
    assert new.body() == {
        "participant_ids": [9],
        "subject": "Visite du soir",
        "text": "Bonjour",
        "prescription_id": 42,
    }
    new.recipients.tick(person, on=False)
    assert new.recipients.ids == []


def test_a_thread_holds_twenty_people_at_most() -> None:
    chosen = compose.Recipients()
    for user_id in range(1, PARTICIPANTS_MAX):
        assert (
            chosen.tick(RecipientOut(user_id=user_id, name=f"P{user_id}", role="professional", detail=""))
            is None
        )
    one_more = RecipientOut(user_id=99, name="P99", role="professional", detail="")
    assert chosen.tick(one_more) == "20 participants au plus par conversation"
    assert not chosen.is_ticked(99)


def test_message_notice_says_who_and_where_never_the_text() -> None:
    notice = message_notice(4, "Dr Jeanne Martin", "Pansement")
    assert notice.kind is NoticeKind.MESSAGE
    assert notice.thread_id == 4
    assert notice.prescription_id is None
    assert notice.title == "Nouveau message de Dr Jeanne Martin"
    assert notice.message == "Messagerie : « Pansement »"
    assert "sans objet" in message_notice(4, "X", None).message
