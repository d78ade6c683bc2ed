"""A desktop that vanishes stops being rung (issue 19, item 5): an operator whose feed connection
(the `/events` WebSocket) has been gone for 5 s goes Hors ligne, `automatic="disconnected"`; a
desktop that reconnects within the 5 s keeps its state. Through a real server process, on SQLite
and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from tests.support.hotline import Hotline, Operator, ok
from tests.support.live import LiveServer


@pytest.fixture
def hotline(clock_server: LiveServer) -> Iterator[Hotline]:
    line = Hotline(clock_server)
    try:
        yield line
    finally:
        line.close()


def desktop_feed(server: LiveServer, operator: Operator) -> ClientConnection:
    token = str(operator.client.headers["authorization"]).split(" ", 1)[1]
    base = server.process.base_url.replace("http://", "ws://", 1)
    return connect(f"{base}/api/v1/events?after=0", additional_headers={"Authorization": f"Bearer {token}"})


def until(check: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_a_desktop_gone_for_5_s_puts_its_operator_offline(hotline: Hotline) -> None:
    operator, reader = hotline.operator(), hotline.operator("pause")
    start = ok(reader.client.get("/changes/head"))["last_seq"]
    with desktop_feed(hotline.server, operator):
        until(lambda: hotline.agents()[operator.id]["connected"])
        hotline.server.advance(4)  # connected: time passing changes nothing
        assert hotline.agents()[operator.id]["state"] == "available"
    time.sleep(0.5)  # the server hears of the close
    hotline.server.advance(4)  # closed 4 s ago: still within the grace
    assert hotline.agents()[operator.id]["state"] == "available"
    hotline.server.advance(1.5)
    seen = hotline.agents()[operator.id]
    assert (seen["state"], seen["connected"]) == ("offline", False)
    events = ok(reader.client.get("/changes", params={"after": start}))["events"]
    changes = [e["data"] for e in events if e["type"] == "agent_state_changed"]
    assert changes[-1] == {
        "user_id": operator.id,
        "state": "offline",
        "pause_reason": None,
        "automatic": "disconnected",
    }
    assert reader.id not in {c["user_id"] for c in changes}  # no feed connection ever: not watched
    assert hotline.route("after-gone@sipp")["action"] == "queue"  # no longer rung


def test_a_desktop_back_within_5_s_keeps_its_state(hotline: Hotline) -> None:
    operator = hotline.operator()
    with desktop_feed(hotline.server, operator):
        until(lambda: hotline.agents()[operator.id]["connected"])
    with desktop_feed(hotline.server, operator):  # the connection dropped and came back at once
        time.sleep(6.5)  # real time: the server's sweep runs every second
        seen = hotline.agents()[operator.id]
        assert (seen["state"], seen["connected"]) == ("available", True)


def test_two_connections_of_one_desktop_count_as_one_presence(hotline: Hotline) -> None:
    operator = hotline.operator()
    with desktop_feed(hotline.server, operator), desktop_feed(hotline.server, operator) as second:
        until(lambda: hotline.agents()[operator.id]["connected"])
        second.close()
        time.sleep(0.5)
        hotline.server.advance(4.5)  # one closed, the other still up: the heartbeat keeps it
        assert hotline.agents()[operator.id]["state"] == "available"


def test_a_desktop_polling_the_feed_is_there_while_it_polls(hotline: Hotline) -> None:
    operator = hotline.operator()
    for _ in range(3):  # the desktop's fallback when its WebSocket is refused: /changes every 2 s
        ok(operator.client.get("/changes", params={"after": 0, "limit": 1}))
        hotline.server.advance(2)
        assert hotline.agents()[operator.id]["connected"] is True
    hotline.server.advance(5)  # polling stopped 7 s ago
    seen = hotline.agents()[operator.id]
    assert (seen["state"], seen["connected"]) == ("offline", False)
