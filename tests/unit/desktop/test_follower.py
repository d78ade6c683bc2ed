"""The follower's bookkeeping: each event once, in order, typed, the position kept only after
handling; an event it does not understand skipped with a log line."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from desktop.store import LocalStore
from desktop.sync.follower import ChangeFollower, FeedState
from shared.schemas.dispatch import EventView
from shared.schemas.feed import FeedEvent, PatientCreated
from tests.support.desktop_server import FakeServer, error, ok, unreachable

pytestmark = pytest.mark.anyio


def _event(seq: int) -> dict[str, Any]:
    return {
        "seq": seq,
        "type": "patient_created",
        "at": "2026-11-27T09:00:00Z",
        "case_id": None,
        "prescription_id": None,
        "data": {"patient_id": seq, "version": 1},
    }


def _page(*seqs: int, after: int = 0) -> dict[str, Any]:
    return {"events": [_event(s) for s in seqs], "last_seq": seqs[-1] if seqs else after}


def _followed_before() -> tuple[FakeServer, LocalStore]:
    """A store that has followed the feed from its start (position 0 stored): it resumes there."""
    store = LocalStore(None)
    store.set_feed_position(0)
    return FakeServer(), store


def _polling_follower(
    server: FakeServer, store: LocalStore, head_at_login: int | None = None
) -> tuple[ChangeFollower, list[int]]:
    """A follower that finds no WebSocket and polls /changes, which holds events 41 and 42."""
    handled: list[int] = []
    client = server.client()
    client.events_url = lambda after: f"ws://127.0.0.1:9/api/v1/events?after={after}"  # type: ignore[method-assign]
    server.script("GET /changes", ok(_page(41, 42, after=40)), *[ok(_page(after=42))] * 50)
    follower = ChangeFollower(
        client, store, lambda e: handled.append(e.seq), poll_interval=0.01, head_at_login=head_at_login
    )
    return follower, handled


async def _follow_until(follower: ChangeFollower, seq: int) -> None:
    task = asyncio.create_task(follower.run())
    try:
        while follower.position < seq:
            await asyncio.sleep(0.01)
    finally:
        follower.stop()
        await asyncio.wait_for(task, 5)


async def test_a_new_store_starts_at_the_feeds_head_and_never_replays_older_events() -> None:
    server, store = FakeServer(), LocalStore(None)
    assert not store.feed_started()
    server.script("GET /changes/head", ok(_page(after=40)))
    follower, handled = _polling_follower(server, store)
    await _follow_until(follower, 42)
    assert handled == [41, 42]
    assert next(r.url.params["after"] for r in server.requests if r.url.path.endswith("/changes")) == "40"
    assert [r.url.path for r in server.requests].count("/api/v1/changes/head") == 1
    assert store.feed_started()
    assert store.feed_position() == 42


async def test_a_new_store_given_the_logins_head_starts_there_without_asking() -> None:
    """The head the login answered: set at once (no event of the session can come before it), not
    asked for; a store that followed the feed before keeps its own position."""
    server, store = FakeServer(), LocalStore(None)
    follower, handled = _polling_follower(server, store, head_at_login=40)
    assert (follower.position, store.feed_position(), store.feed_started()) == (40, 40, True)
    await _follow_until(follower, 42)
    assert handled == [41, 42]
    assert "/api/v1/changes/head" not in [r.url.path for r in server.requests]
    again = ChangeFollower(follower.client, store, lambda e: handled.append(e.seq), head_at_login=90)
    assert again.position == 42  # followed before: resumes from its own position, nothing skipped


async def test_replayed_events_are_handled_once_and_the_position_is_stored() -> None:
    store = LocalStore(None)
    store.set_feed_position(3)
    handled: list[int] = []
    follower = ChangeFollower(FakeServer().client(), store, lambda e: handled.append(e.seq))
    assert follower.position == 3
    for seq in (2, 3, 4, 4, 5):
        await follower.deliver(EventView.model_validate(_event(seq)))
    assert handled == [4, 5]
    assert store.feed_position() == 5


async def test_events_are_handed_typed_and_one_not_understood_is_skipped_with_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A type from a newer server, or data that does not fit its type: skipped (logged), the
    position moves past it, and the next event is handled."""
    store = LocalStore(None)
    handled: list[FeedEvent] = []
    follower = ChangeFollower(FakeServer().client(), store, handled.append)
    newer = {**_event(1), "type": "prescription_teleported", "data": {"where": "Mars"}}
    malformed = {**_event(2), "data": {"patient_id": "pas un nombre"}}
    with caplog.at_level(logging.INFO, logger="centrale.feed"):
        assert not await follower.deliver(EventView.model_validate(newer))
        assert not await follower.deliver(EventView.model_validate(malformed))
        assert await follower.deliver(EventView.model_validate(_event(3)))
    assert [(e.seq, type(e.payload)) for e in handled] == [(3, PatientCreated)]
    assert handled[0].payload == PatientCreated(patient_id=3, version=1)
    assert "event 1 of unknown type 'prescription_teleported' skipped" in caplog.text
    assert "event 2 (patient_created) skipped" in caplog.text
    assert (follower.position, store.feed_position()) == (3, 3)


async def test_a_failing_handler_does_not_move_the_position() -> None:
    store = LocalStore(None)

    def broken(_event: FeedEvent) -> None:
        raise RuntimeError("vue fermée")

    follower = ChangeFollower(FakeServer().client(), store, broken)
    with pytest.raises(RuntimeError):
        await follower.deliver(EventView.model_validate(_event(1)))
    assert (follower.position, store.feed_position()) == (0, 0)


async def test_polling_resumes_from_the_position_after_an_outage() -> None:
    server, store = _followed_before()
    states: list[FeedState] = []
    handled: list[int] = []

    async def handle(event: FeedEvent) -> None:  # async handlers are awaited
        handled.append(event.seq)

    client = server.client()
    client.events_url = lambda after: f"ws://127.0.0.1:9/api/v1/events?after={after}"  # type: ignore[method-assign]
    server.script("GET /changes", ok(_page(1, 2)), unreachable, ok(_page(2, 3)), ok(_page(after=3)))
    server.script("GET /changes", *[ok(_page(after=3))] * 50)
    follower = ChangeFollower(
        client,
        store,
        handle,
        on_state=states.append,
        poll_interval=0.01,
        websocket_retry=0.01,
        backoff_start=0.01,
    )
    task = asyncio.create_task(follower.run())
    try:
        while follower.position < 3:
            await asyncio.sleep(0.01)
    finally:
        follower.stop()
        await asyncio.wait_for(task, 5)
    assert handled == [1, 2, 3]
    afters = [r.url.params["after"] for r in server.requests]
    assert afters[:4] == ["0", "2", "2", "3"]  # after the outage it asked from its last seq
    assert states[:4] == [FeedState.POLLING, FeedState.OFFLINE, FeedState.CONNECTING, FeedState.POLLING]


async def test_a_401_while_polling_waits_for_a_new_login() -> None:
    server, store = _followed_before()
    client = server.client("old")
    client.events_url = lambda after: f"ws://127.0.0.1:9/api/v1/events?after={after}"  # type: ignore[method-assign]
    server.script("GET /changes", lambda r: error(401, "token_expired", "Session expirée : reconnectez-vous"))
    server.script("GET /changes", ok(_page(1)), *[ok(_page(after=1))] * 50)
    follower = ChangeFollower(client, store, lambda e: None, poll_interval=0.01, websocket_retry=0.01)
    task = asyncio.create_task(follower.run())
    try:
        while follower.state is not FeedState.LOGIN_REQUIRED:
            await asyncio.sleep(0.01)
        assert follower.state.label == "Session expirée : reconnectez-vous"
        follower.resume("new")
        while follower.position < 1:
            await asyncio.sleep(0.01)
    finally:
        follower.stop()
        await asyncio.wait_for(task, 5)
    assert server.requests[1].headers["Authorization"] == "Bearer new"


async def test_a_handler_failure_is_retried_from_the_same_event() -> None:
    server, store = _followed_before()
    client = server.client()
    client.events_url = lambda after: f"ws://127.0.0.1:9/api/v1/events?after={after}"  # type: ignore[method-assign]
    server.script("GET /changes", ok(_page(1, 2)), ok(_page(2)), *[ok(_page(after=2))] * 50)
    handled: list[int] = []

    def flaky(event: FeedEvent) -> None:
        if event.seq == 2 and 2 not in handled and handled.count(-2) == 0:
            handled.append(-2)
            raise RuntimeError("vue occupée")
        handled.append(event.seq)

    follower = ChangeFollower(
        client, store, flaky, poll_interval=0.01, websocket_retry=0.01, backoff_start=0.01
    )
    task = asyncio.create_task(follower.run())
    try:
        while follower.position < 2:
            await asyncio.sleep(0.01)
    finally:
        follower.stop()
        await asyncio.wait_for(task, 5)
    assert handled == [1, -2, 2]  # event 2 failed once, then was handled; event 1 not again
    assert [r.url.params["after"] for r in server.requests[:2]] == ["0", "1"]
