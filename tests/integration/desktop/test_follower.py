"""The change-feed follower against a real server: live, through a restart, and by polling."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from desktop.store import LocalStore
from desktop.sync.client import ApiClient
from desktop.sync.follower import ChangeFollower, FeedState
from shared.schemas.feed import FeedEvent
from tests.support.desktop import new_patient_wizard, operator_account, wait_until
from tests.support.live import LiveServer

pytestmark = pytest.mark.anyio


async def _make_events(client: ApiClient, operator_count: int, live: LiveServer) -> None:
    """Each created patient is one change in the feed."""
    _username, _password, operator = operator_account(live)
    for _ in range(operator_count):
        submission = new_patient_wizard(operator).submission()
        assert submission.patient_create is not None
        await client.create_patient(submission.patient_create)


async def _all_seqs(client: ApiClient, after: int) -> list[int]:
    page = await client.changes(after, limit=1000)
    return [event.seq for event in page.events]


async def test_the_follower_resumes_after_a_server_restart_without_gap_or_duplicate(
    own_server: LiveServer, tmp_path: Path
) -> None:
    username, password, _operator = operator_account(own_server)
    store = LocalStore(tmp_path / "local.sqlite3")
    handled: list[FeedEvent] = []
    states: list[FeedState] = []
    async with ApiClient(own_server.process.base_url) as client:
        await client.login(username, password)
        start = (await client.changes(0, limit=1000)).last_seq
        store.set_feed_position(start)
        follower = ChangeFollower(client, store, handled.append, on_state=states.append, backoff_max=0.5)
        task = asyncio.create_task(follower.run())
        try:
            await wait_until(lambda: follower.state is FeedState.LIVE, what="the WebSocket open")
            await _make_events(client, 3, own_server)
            expected = await _all_seqs(client, start)
            assert len(expected) >= 3
            await wait_until(lambda: follower.position == expected[-1], what="the first events")

            own_server.process.stop()
            await wait_until(lambda: follower.state is FeedState.OFFLINE, what="the server seen down")
            own_server.process.start()
            await _make_events(client, 3, own_server)
            expected = await _all_seqs(client, start)
            await wait_until(lambda: follower.position == expected[-1], 15, "the events after the restart")
            await wait_until(lambda: follower.state is FeedState.LIVE, what="the WebSocket back")
        finally:
            follower.stop()
            task.cancel()
        seqs = [event.seq for event in handled]
        assert seqs == expected  # every event once, in order: no gap, no duplicate
        assert store.feed_position() == expected[-1]
        assert FeedState.OFFLINE in states
        assert states[-1] is FeedState.LIVE

        # a desktop restarted later resumes from the stored position
        later: list[FeedEvent] = []
        resumed = ChangeFollower(client, LocalStore(tmp_path / "local.sqlite3"), later.append)
        assert resumed.position == expected[-1]
        await _make_events(client, 1, own_server)
        newest = await _all_seqs(client, expected[-1])
        task = asyncio.create_task(resumed.run())
        try:
            await wait_until(lambda: resumed.position == newest[-1], what="the event made while away")
        finally:
            resumed.stop()
            task.cancel()
        assert [event.seq for event in later] == newest


async def test_without_websocket_the_follower_polls_the_changes(
    shared_server: LiveServer, tmp_path: Path
) -> None:
    username, password, _operator = operator_account(shared_server)
    store = LocalStore(tmp_path / "local.sqlite3")
    handled: list[int] = []
    async with ApiClient(shared_server.process.base_url) as client:
        await client.login(username, password)
        start = (await client.changes(0, limit=1000)).last_seq
        store.set_feed_position(start)
        # a proxy that refuses WebSockets: the events URL answers nothing
        client.events_url = lambda after: f"ws://127.0.0.1:9/api/v1/events?after={after}"  # type: ignore[method-assign]
        follower = ChangeFollower(client, store, lambda e: handled.append(e.seq), poll_interval=0.05)
        task = asyncio.create_task(follower.run())
        try:
            await _make_events(client, 2, shared_server)
            expected = await _all_seqs(client, start)
            await wait_until(lambda: follower.position == expected[-1], what="the polled events")
            assert follower.state is FeedState.POLLING
            assert follower.state.label == "Connecté"
        finally:
            follower.stop()
            task.cancel()
        assert handled == expected


async def test_an_expired_session_pauses_the_follower_until_resume(
    clock_server: LiveServer, tmp_path: Path
) -> None:
    username, password, _operator = operator_account(clock_server)
    store = LocalStore(tmp_path / "local.sqlite3")
    async with ApiClient(clock_server.process.base_url) as client:
        await client.login(username, password)
        clock_server.advance(720 * 60 + 60)
        follower = ChangeFollower(client, store, lambda e: None)
        task = asyncio.create_task(follower.run())
        try:
            await wait_until(lambda: follower.state is FeedState.LOGIN_REQUIRED, what="the login asked")
            async with ApiClient(clock_server.process.base_url) as relogin:
                follower.resume((await relogin.login(username, password)).access_token)
            await wait_until(lambda: follower.state is FeedState.LIVE, what="the feed back")
        finally:
            follower.stop()
            task.cancel()
