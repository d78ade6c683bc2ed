"""The desktop's « Messagerie » service against a scripted server (``httpx.MockTransport``): live
from the feed (only the user's threads read, newer messages by ``after=``), notices, and a message
sent while the server does not answer — kept for the operator, never posted twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from desktop.services.messaging import MessagingService
from desktop.state.messaging_compose import NewThread
from desktop.state.tray_notices import Notice, NoticeKind, NoticeSwitches
from desktop.sync.errors import RequestRefused, ServerUnavailable
from desktop.sync.messaging_api import MessagingApi
from shared.schemas.messaging import RecipientOut
from tests.support.desktop_server import FakeServer, error, ok, unreachable
from tests.support.feed_events import feed_event
from tests.unit.test_desktop_messaging_state import ME, NOW, message, thread

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def as_json(model: Any) -> Any:
    return model.model_dump(mode="json")


def page(*messages: Any, has_more: bool = False) -> Any:
    return ok({"items": [as_json(m) for m in messages], "has_more": has_more})


def posted(seq: int, message_id: int, author: int = 9, thread_id: int = 1, **extra: Any) -> Any:
    return feed_event(
        "message_posted",
        seq,
        at=extra.get("at", NOW),
        thread_id=thread_id,
        participant_ids=(ME, 9),
        message_id=message_id,
        author_id=author,
    )


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


def service(
    server: FakeServer, switches: NoticeSwitches | None = None
) -> tuple[MessagingService, list[Notice]]:
    made = MessagingService(
        MessagingApi(server.client()), ME, switches=lambda: switches or NoticeSwitches(), clock=lambda: NOW
    )
    notices: list[Notice] = []
    made.on_notice.append(notices.append)
    return made, notices


async def opened(server: FakeServer, messaging: MessagingService, *ids: int, author: int = 9) -> None:
    server.script("GET /threads/1", ok(as_json(thread(last=message(ids[-1], author)))))
    server.script("GET /threads/1/messages", page(*(message(i, author) for i in ids)))
    await messaging.open(1)


async def test_a_message_from_someone_else_is_fetched_after_the_newest_and_noticed(
    server: FakeServer,
) -> None:
    messaging, notices = service(server)
    await opened(server, messaging, 1, 2)
    server.script("GET /threads/1", ok(as_json(thread(unread=1, last=message(3)))))
    server.script("GET /threads/1/messages", page(message(3)))
    await messaging.on_event(posted(11, 3))
    assert messaging.open_thread is not None
    assert [m.id for m in messaging.open_thread.ordered()] == [1, 2, 3]
    assert server.requests[-1].url.params["after"] == "2"  # keyset: only what is newer
    assert [n.title for n in notices] == ["Nouveau message de Dr Jeanne Martin"]
    assert notices[0].kind is NoticeKind.MESSAGE
    assert "Bonjour" not in notices[0].message  # never the text
    assert messaging.threads.unread_threads == 1


async def test_someone_elses_thread_is_never_read(server: FakeServer) -> None:
    messaging, notices = service(server)
    stranger = feed_event(
        "message_posted", 1, at=NOW, thread_id=5, participant_ids=(9, 11), message_id=3, author_id=9
    )
    await messaging.on_event(stranger)
    assert server.requests == []
    assert notices == []


async def test_no_notice_for_my_own_message_an_old_one_or_when_switched_off(server: FakeServer) -> None:
    messaging, notices = service(server)
    for event in (posted(1, 3, author=ME), posted(2, 4, at=NOW - timedelta(hours=2))):
        server.script("GET /threads/1", ok(as_json(thread(last=message(3)))))
        await messaging.on_event(event)
    off, off_notices = service(server, NoticeSwitches(frozenset({NoticeKind.MESSAGE})))
    server.script("GET /threads/1", ok(as_json(thread(last=message(3)))))
    await off.on_event(posted(3, 5))
    assert notices == []
    assert off_notices == []
    assert len(server.requests) == 3  # each read its thread: the list stays right


async def test_others_read_marks_need_no_read(server: FakeServer) -> None:
    messaging, _notices = service(server)
    await opened(server, messaging, 1, 2, author=ME)
    before = len(server.requests)
    read = feed_event(
        "thread_read", 5, at=NOW, thread_id=1, participant_ids=(ME, 9), user_id=9, up_to_message_id=2
    )
    await messaging.on_event(read)
    assert len(server.requests) == before
    assert messaging.open_thread is not None
    assert messaging.open_thread.lines()[-1].seen_by == "Vu par Dr Jeanne Martin"


async def test_a_thread_gone_from_the_caller_leaves_the_list(server: FakeServer) -> None:
    messaging, _notices = service(server)
    server.script(
        "GET /threads",
        ok({"items": [as_json(thread(1)), as_json(thread(2))], "total": 2, "unread_threads": 0}),
    )
    await messaging.refresh()
    server.script(
        "GET /threads/2", lambda _request: error(404, "thread_not_found", "Conversation introuvable")
    )
    await messaging.on_event(posted(1, 3, thread_id=2))
    assert list(messaging.threads.threads) == [1]


def keys(server: FakeServer, route: str) -> list[str]:
    method, path = route.split(" ", 1)
    return [
        r.headers["Idempotency-Key"]
        for r in server.requests
        if (r.method, r.url.path) == (method, f"/api/v1{path}")
    ]


async def test_a_retry_after_an_unanswered_send_carries_the_same_key(server: FakeServer) -> None:
    messaging, _notices = service(server)
    await opened(server, messaging, 1, 2)
    server.script("POST /threads/1/messages", unreachable)
    with pytest.raises(ServerUnavailable):
        await messaging.send("Je passe à 18 h")
    # The server may have written it (the answer was lost): the retry is the same request, with the
    # same key, and the server answers with what the first try wrote (tests/integration).
    server.script("POST /threads/1/messages", ok(as_json(message(3, author=ME, text="Je passe à 18 h")), 201))
    sent = await messaging.send("Je passe à 18 h")
    assert sent.id == 3
    assert server.bodies("POST /threads/1/messages") == [{"text": "Je passe à 18 h"}] * 2
    first, retry = keys(server, "POST /threads/1/messages")
    assert first == retry
    assert len(first) == 32
    assert messaging.open_thread is not None
    assert [m.id for m in messaging.open_thread.ordered()] == [1, 2, 3]
    # once answered, the next message (even the same words) is a new one: a new key
    server.script("POST /threads/1/messages", ok(as_json(message(4, author=ME, text="Je passe à 18 h")), 201))
    await messaging.send("Je passe à 18 h")
    assert keys(server, "POST /threads/1/messages")[-1] != first


async def test_a_different_text_after_an_unanswered_send_is_a_new_message(server: FakeServer) -> None:
    messaging, _notices = service(server)
    await opened(server, messaging, 1, 2)
    server.script("POST /threads/1/messages", unreachable)
    with pytest.raises(ServerUnavailable):
        await messaging.send("Je passe à 18 h")
    server.script("POST /threads/1/messages", ok(as_json(message(4, author=ME, text="Je passe à 19 h")), 201))
    await messaging.send("Je passe à 19 h")  # edited before sending again: another message
    first, second = keys(server, "POST /threads/1/messages")
    assert first != second
    # a refusal is no uncertainty: the next send goes straight to the server with a new key
    server.script(
        "POST /threads/1/messages",
        lambda _request: error(403, "not_a_participant", "Vous avez quitté la conversation"),
    )
    with pytest.raises(RequestRefused):
        await messaging.send("Encore")
    server.script("POST /threads/1/messages", ok(as_json(message(5, author=ME, text="Encore")), 201))
    assert (await messaging.send("Encore")).id == 5
    assert len(set(keys(server, "POST /threads/1/messages"))) == 4


async def test_a_thread_retried_after_an_unanswered_start_carries_the_same_key(server: FakeServer) -> None:
    messaging, _notices = service(server)
    new = NewThread(text="Bonjour", subject="Visite")
    new.recipients.tick(RecipientOut(user_id=9, name="Dr Jeanne Martin", role="professional", detail=""))
    server.script("POST /threads", unreachable)
    with pytest.raises(ServerUnavailable):
        await messaging.start(new)
    made = thread(12, subject="Visite", last=message(30, author=ME, thread_id=12))
    server.script("POST /threads", ok(as_json(made), 201))
    found = await messaging.start(new)
    assert found.id == 12
    first, retry = keys(server, "POST /threads")
    assert first == retry
    assert 12 in messaging.threads.threads


async def test_mark_read_sends_the_newest_once(server: FakeServer) -> None:
    messaging, _notices = service(server)
    await opened(server, messaging, 1, 2)
    server.script("POST /threads/1/read", lambda _request: httpx.Response(204))
    assert await messaging.mark_read() == 2
    assert await messaging.mark_read() is None  # nothing new: nothing sent
    assert server.bodies("POST /threads/1/read") == [{"up_to_message_id": 2}]
