"""10,000 messages in a thread page in order, with no gap nor duplicate, while new ones arrive (issue
20), over HTTP on a real server, SQLite and PostgreSQL; and the thread list costs a fixed number of
queries whatever the number of threads (no query per thread)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, event, text

from server.db import Database
from server.security.principal import Principal
from server.services import messaging_thread_views
from shared.domain import Role
from tests.support.live import LiveServer
from tests.support.messaging import Person, post, professional, start

BULK = 10_000
PAGE = 200


def _insert_bulk(server: LiveServer, thread_id: int, authors: list[int]) -> None:
    """The test's own setup: 10,000 messages written straight into the database, then the thread's
    last message as a post would leave it (the paging under test is over HTTP)."""
    engine = create_engine(server.database_url)
    start_at = datetime.now(UTC) - timedelta(days=1)
    if server.kind == "sqlite":  # stored naive there (server/models/base.py UtcDateTime)
        start_at = start_at.replace(tzinfo=None)
    rows = [
        {
            "t": thread_id,
            "a": authors[i % len(authors)],
            "x": f"Message n° {i}",
            "at": start_at + timedelta(seconds=i),
        }
        for i in range(BULK)
    ]
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO messages (thread_id, author_id, text, at) VALUES (:t, :a, :x, :at)"), rows
            )
            conn.execute(
                text(
                    "UPDATE threads SET last_message_id = (SELECT max(id) FROM messages WHERE thread_id = :t)"
                    " WHERE id = :t"
                ),
                {"t": thread_id},
            )
    finally:
        engine.dispose()


def _all_ids(server: LiveServer, thread_id: int) -> list[int]:
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            return list(
                conn.scalars(
                    text("SELECT id FROM messages WHERE thread_id = :t ORDER BY id"), {"t": thread_id}
                )
            )
    finally:
        engine.dispose()


class Poster(threading.Thread):
    """Posts over HTTP until stopped, into the paged thread and into another one."""

    def __init__(self, author: Person, thread_ids: list[int]) -> None:
        super().__init__(daemon=True)
        self.author, self.thread_ids = author, thread_ids
        self.stop = threading.Event()
        self.posted: list[dict[str, Any]] = []
        self.failures: list[str] = []

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            thread_id = self.thread_ids[n % len(self.thread_ids)]
            response = self.author.client.post(
                f"/threads/{thread_id}/messages", json={"text": f"Nouveau {n}"}
            )
            if response.status_code != 201:
                self.failures.append(response.text)
            else:
                self.posted.append(response.json())
            n += 1


def _page(reader: Person, thread_id: int, **params: int) -> dict[str, Any]:
    response = reader.client.get(f"/threads/{thread_id}/messages", params={"limit": PAGE, **params})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    ids = [m["id"] for m in result["items"]]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    return result


def test_ten_thousand_messages_page_in_order_while_new_ones_arrive(server: LiveServer) -> None:
    reader, writer = professional(server), professional(server)
    thread = start(reader, writer, subject="Fil de 10 000 messages")
    other = start(writer, reader, subject="À côté")
    _insert_bulk(server, thread["id"], [reader.user_id, writer.user_id])
    poster = Poster(writer, [thread["id"], other["id"]])
    poster.start()
    try:
        # Backwards from the newest: exactly what existed when the walk began, each once, in order.
        first = _page(reader, thread["id"])
        backwards = [m["id"] for m in first["items"]]
        more = first["has_more"]
        while more:
            page = _page(reader, thread["id"], before=backwards[0])
            older = [m["id"] for m in page["items"]]
            assert older
            assert older[-1] < backwards[0]
            backwards = older + backwards
            more = page["has_more"]
        # Forwards from the oldest while posts keep arriving.
        forwards: list[int] = []
        pages = 0
        while True:
            page = _page(reader, thread["id"], after=forwards[-1] if forwards else 0)
            newer = [m["id"] for m in page["items"]]
            assert not forwards or not newer or newer[0] > forwards[-1]
            forwards += newer
            pages += 1
            if not page["has_more"]:
                break
        assert pages >= BULK // PAGE
    finally:
        poster.stop.set()
        poster.join(timeout=30)
    assert poster.failures == []
    arrived = [m for m in poster.posted if m["thread_id"] == thread["id"]]
    assert len(arrived) >= 1, "no message arrived during the walk"
    # Then the rest of what arrived: the forward walk resumes where it stopped, with no gap.
    while True:
        page = _page(reader, thread["id"], after=forwards[-1])
        forwards += [m["id"] for m in page["items"]]
        if not page["has_more"]:
            break
    every = _all_ids(server, thread["id"])
    assert len(every) == BULK + 1 + len(arrived)
    assert forwards == every  # complete, unique, strictly increasing
    assert backwards == [i for i in every if i <= backwards[-1]]
    assert len(backwards) >= BULK + 1
    assert len(set(backwards)) == len(backwards)


def test_the_thread_list_is_a_fixed_number_of_queries(server: LiveServer) -> None:
    few, many, other = professional(server), professional(server), professional(server)
    start(few, other)
    for n in range(25):
        thread = start(many, other, subject=f"Sujet {n}")
        post(other, thread["id"], "Réponse")
    db = Database(server.database_url)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    def listed(person: Person) -> tuple[int, int]:
        statements.clear()
        principal = Principal(person.user_id, "x", Role.PROFESSIONAL, person.name, ())
        with db.session() as session:
            page = messaging_thread_views.page(session, principal, 0, 100, False)
        return len(page.items), len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        one, one_selects = listed(few)
        twenty_five, many_selects = listed(many)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        db.dispose()
    assert (one, twenty_five) == (1, 25)
    assert many_selects == one_selects
    assert one_selects <= 10
