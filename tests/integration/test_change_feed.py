"""The change feed over HTTP (/changes) and WebSocket (/events), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.support.live import ADMIN_PASSWORD, ADMIN_USERNAME, PASSWORD, LiveServer, patient_body
from tests.support.server_process import ServerProcess

Event = dict[str, Any]


def token_of(client: httpx.Client) -> str:
    return str(client.headers["authorization"]).split(" ", 1)[1]


def ws_url(base_url: str, **params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{base_url.replace('http://', 'ws://', 1)}/api/v1/events" + (f"?{query}" if query else "")


def follower(base_url: str, token: str, after: int) -> ClientConnection:
    return connect(ws_url(base_url, after=after), additional_headers={"Authorization": f"Bearer {token}"})


def head(client: httpx.Client) -> int:
    """The last seq committed so far, read by paging /changes to its end."""
    after = 0
    while True:
        page = client.get("/changes", params={"after": after, "limit": 1000})
        assert page.status_code == 200, page.text
        if not page.json()["events"]:
            return after
        after = page.json()["last_seq"]


def create_patients(client: httpx.Client, count: int) -> list[int]:
    ids = []
    for _ in range(count):
        response = client.post("/patients", json=patient_body())
        assert response.status_code == 201, response.text
        ids.append(int(response.json()["id"]))
    return ids


def created_ids(events: list[Event]) -> list[int]:
    return [e["data"]["patient_id"] for e in events if e["type"] == "patient_created"]


def receive_until(
    ws: ClientConnection, done: Callable[[list[Event]], bool], timeout: float = 20
) -> list[Event]:
    """Events as they arrive until `done(received)`; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    received: list[Event] = []
    while not done(received):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(f"events still missing after {timeout} s; received {received}")
        try:
            received.append(json.loads(ws.recv(timeout=remaining)))
        except TimeoutError:
            continue
    return received


def receive_quiet(ws: ClientConnection, quiet: float = 0.5) -> list[Event]:
    """Whatever else arrives until nothing has come for `quiet` seconds."""
    extra: list[Event] = []
    while True:
        try:
            extra.append(json.loads(ws.recv(timeout=quiet)))
        except TimeoutError:
            return extra


def has_all(ids: list[int]) -> Callable[[list[Event]], bool]:
    return lambda events: set(ids) <= set(created_ids(events))


def assert_consecutive(events: list[Event], after: int) -> None:
    assert [e["seq"] for e in events] == list(range(after + 1, after + 1 + len(events)))


def close_of(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """The close code and reason of a refused WebSocket."""
    with connect(url, additional_headers=headers) as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


def running(process: ServerProcess) -> Iterator[LiveServer]:
    """`process` started with an admin account, stopped afterwards (its database is the caller's)."""
    created = process.cli(
        "create-user", "--username", ADMIN_USERNAME, "--role", "admin", "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    live = LiveServer(process, "sqlite" if process.database_url.startswith("sqlite") else "postgresql")
    try:
        process.start()
        yield live
    finally:
        live.close()
        process.stop()


@pytest.fixture(scope="module")
def sqlite_without_poll(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A SQLite server whose safety poll never fires within a test: only in-process wake-ups work."""
    directory = tmp_path_factory.mktemp("no-poll")
    url = f"sqlite:///{directory / 'centrale.sqlite3'}"
    yield from running(ServerProcess(url, directory, CENTRALE_LIVE_POLL_SECONDS="600"))


def test_changes_returns_new_events_in_seq_order_with_their_types(server: LiveServer) -> None:
    _, operator = server.user("operator")
    start = head(operator)
    ids = create_patients(operator, 3)
    patched = operator.patch(f"/patients/{ids[1]}", json={"version": 1, "address_line": "3 rue Neuve"})
    assert patched.status_code == 200, patched.text

    page = operator.get("/changes", params={"after": start}).json()
    events = page["events"]
    assert_consecutive(events, start)
    assert page["last_seq"] == events[-1]["seq"]
    mine = [(e["type"], e["data"]["patient_id"]) for e in events if e["data"].get("patient_id") in ids]
    assert mine == [*(("patient_created", i) for i in ids), ("patient_updated", ids[1])]
    updated = next(e for e in events if e["type"] == "patient_updated")
    assert updated["data"]["version"] == 2
    assert datetime.fromisoformat(updated["at"]).utcoffset() is not None
    assert {"seq", "type", "at", "case_id", "prescription_id", "data"} == set(updated)

    nothing_new = operator.get("/changes", params={"after": page["last_seq"]}).json()
    assert nothing_new == {"events": [], "last_seq": page["last_seq"]}


def test_changes_pages_with_limit_and_after(server: LiveServer) -> None:
    _, secretary = server.user("secretary")
    start = head(secretary)
    ids = create_patients(secretary, 5)
    whole = secretary.get("/changes", params={"after": start}).json()["events"]

    pages, after = [], start
    while True:
        page = secretary.get("/changes", params={"after": after, "limit": 2}).json()
        if not page["events"]:
            assert page["last_seq"] == after
            break
        assert len(page["events"]) <= 2
        pages.extend(page["events"])
        after = page["last_seq"]
    assert pages == whole
    assert set(ids) <= set(created_ids(pages))
    assert_consecutive(pages, start)

    for params in ({"limit": 0}, {"limit": 1001}, {"after": -1}, {"after": "x"}):
        refused = secretary.get("/changes", params=params)
        assert refused.status_code == 422, params
        assert refused.json()["detail"].startswith(next(iter(params)))
    assert secretary.get("/changes", params={"limit": 1000}).status_code == 200


def test_changes_refuses_bad_tokens_and_roles(server: LiveServer) -> None:
    assert server.client().get("/changes").status_code == 401
    assert server.client("not-a-token").get("/changes").json()["code"] == "token_invalid"
    _, professional = server.professional()
    for client in (professional, server.admin()):
        refused = client.get("/changes")
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Accès refusé pour votre rôle"
    _, supervisor = server.user("supervisor")
    assert supervisor.get("/changes").status_code == 200


def test_events_refuses_bad_tokens_roles_and_parameters(server: LiveServer) -> None:
    base = server.process.base_url
    assert close_of(ws_url(base)) == (4401, "Authentification requise")
    assert close_of(ws_url(base, token="not-a-token")) == (4401, "Session invalide : reconnectez-vous")
    bad_header = {"Authorization": "Bearer not-a-token"}
    assert close_of(ws_url(base), bad_header)[0] == 4401
    pro, professional = server.professional()
    for client in (professional, server.admin()):
        assert close_of(ws_url(base, token=token_of(client))) == (4403, "Accès refusé pour votre rôle")
    audit = (
        server.admin().get("/admin/audit", params={"user_id": pro["user_id"], "action": "forbidden"}).json()
    )
    assert [(a["path"], a["status"], a["detail"]["websocket"]) for a in audit] == [
        ("/api/v1/events", 403, True)
    ]
    _, operator = server.user("operator")
    for after in ("-1", "abc", "1.5"):
        code, reason = close_of(ws_url(base, after=after, token=token_of(operator)))
        assert code == 4400
        assert "after" in reason


def test_websocket_follower_resumes_without_loss_or_duplicate(server: LiveServer) -> None:
    _, operator = server.user("operator")
    _, other = server.user("supervisor")
    log_start = len(server.process.log())
    start = head(operator)
    backlog = create_patients(other, 2)

    # Backlog first (token in the query string this time), then live changes made by another user.
    with connect(ws_url(server.process.base_url, after=start, token=token_of(operator))) as ws:
        seen = receive_until(ws, has_all(backlog))
        live = create_patients(other, 3)
        seen += receive_until(ws, has_all(live))
    assert_consecutive(seen, start)
    assert created_ids(seen)[-5:] == backlog + live

    # Disconnected while more changes happen; resuming from the last seq gives exactly the rest.
    missed = create_patients(other, 4)
    last = seen[-1]["seq"]
    with follower(server.process.base_url, token_of(operator), last) as ws:
        resumed = receive_until(ws, has_all(missed))
        resumed += receive_quiet(ws)
    assert_consecutive(resumed, last)
    assert created_ids(resumed)[-4:] == missed
    everything = seen + resumed
    assert len({e["seq"] for e in everything}) == len(everything)

    # The WebSocket sends what /changes returns, field for field.
    page = operator.get("/changes", params={"after": start, "limit": len(everything)}).json()
    assert page["events"] == everything[: len(page["events"])]
    assert "Traceback" not in server.process.log()[log_start:]


def test_concurrent_writers_leave_no_gap_for_followers(server: LiveServer) -> None:
    _, operator = server.user("operator")
    _, secretary = server.user("secretary")
    writers = [server.client(token_of(secretary)) for _ in range(20)]
    start = head(operator)
    created: list[int] = []
    polled: list[Event] = []
    barrier = threading.Barrier(21)
    done_writing = threading.Event()

    def write(client: httpx.Client) -> None:
        barrier.wait(timeout=30)
        created.extend(create_patients(client, 1))

    def poll() -> None:
        # A resuming HTTP reader during the writes: never a gap, never a repeat.
        after = start
        barrier.wait(timeout=30)
        while True:
            finished = done_writing.is_set()
            page = operator.get("/changes", params={"after": after, "limit": 7}).json()
            polled.extend(page["events"])
            after = page["last_seq"]
            if finished and not page["events"]:
                return

    with follower(server.process.base_url, token_of(operator), start) as ws:
        threads = [threading.Thread(target=write, args=(client,)) for client in writers]
        threads.append(threading.Thread(target=poll))
        for thread in threads:
            thread.start()
        for thread in threads[:-1]:
            thread.join(timeout=60)
        done_writing.set()
        threads[-1].join(timeout=60)
        assert len(created) == 20
        streamed = receive_until(ws, has_all(created), timeout=30)

    assert_consecutive(streamed, start)
    assert_consecutive(polled, start)
    assert set(created) <= set(created_ids(polled))
    assert polled[: len(streamed)] == streamed[: len(polled)]


def test_a_long_connection_closes_when_its_token_expires(clock_server: LiveServer) -> None:
    _, operator = clock_server.user("operator")
    _, leaving = clock_server.user("operator")
    start = head(operator)
    with (
        follower(clock_server.process.base_url, token_of(operator), start) as expiring,
        follower(clock_server.process.base_url, token_of(leaving), start) as revoked,
    ):
        ids = create_patients(operator, 1)
        for ws in (expiring, revoked):
            receive_until(ws, has_all(ids))
        assert leaving.post("/auth/logout").status_code == 204
        clock_server.advance(61)  # past the re-check interval, token still valid: only logout counts
        closes = []
        with pytest.raises(ConnectionClosed) as closed:
            receive_until(revoked, lambda _events: False, timeout=15)
        closes.append(closed.value.rcvd)
        create_patients(operator, 1)
        assert receive_until(expiring, lambda events: bool(events))  # still following

        clock_server.advance(13 * 3600)  # beyond the token's lifetime (12 h)
        with pytest.raises(ConnectionClosed) as closed:
            receive_until(expiring, lambda _events: False, timeout=15)
        closes.append(closed.value.rcvd)
    assert [(c.code, c.reason) for c in closes if c is not None] == [
        (4401, "Session invalide : reconnectez-vous"),
        (4401, "Session expirée : reconnectez-vous"),
    ]


def test_commits_wake_followers_of_their_own_process_at_once(sqlite_without_poll: LiveServer) -> None:
    _, operator = sqlite_without_poll.user("operator")
    start = head(operator)
    with follower(sqlite_without_poll.process.base_url, token_of(operator), start) as ws:
        for _ in range(5):
            before = time.monotonic()
            ids = create_patients(operator, 1)
            receive_until(ws, has_all(ids), timeout=10)
            assert time.monotonic() - before < 5  # far below the 600 s poll: the commit woke it


def test_head_is_where_the_feed_stands_now(server: LiveServer) -> None:
    _, operator = server.user("operator")
    create_patients(operator, 2)
    reply = operator.get("/changes/head")
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"events": [], "last_seq": head(operator)}  # the same as paging to the end
    create_patients(operator, 1)
    after = operator.get("/changes/head").json()["last_seq"]
    assert after > reply.json()["last_seq"]
    assert operator.get("/changes", params={"after": after}).json()["events"] == []
    _, professional = server.professional()
    assert professional.get("/changes/head").status_code == 403  # staff only, as /changes


def test_the_login_answers_where_the_feed_stands(server: LiveServer) -> None:
    """A desktop that never followed the feed starts at the login's head: nothing of its session is
    missed, even when events come before it first asks the server."""
    user, operator = server.user("operator")
    create_patients(operator, 1)
    with server.client() as fresh:
        login = fresh.post("/auth/login", json={"username": user["username"], "password": PASSWORD})
    assert login.status_code == 200, login.text
    at_login = login.json()["feed_head"]
    assert at_login == head(operator)
    ids = create_patients(operator, 2)
    after = operator.get("/changes", params={"after": at_login}).json()["events"]
    assert created_ids(after) == ids
