"""One logged-in session: the API client, the local store, the outbox pusher, the change-feed
follower and, when a softphone is given, the call flow with its call log and screen pop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

from desktop.settings import data_dir
from desktop.store import LocalStore
from desktop.store.outbox import OutboxItem
from desktop.sync.call_sink import ServerCallLogSink
from desktop.sync.client import ApiClient
from desktop.sync.follower import ChangeFollower, FeedState
from desktop.sync.lookup import ServerLookup
from desktop.sync.outbox_pusher import OutboxPusher
from desktop.workflows.call_flow import CallFlow
from desktop.workflows.wizard import Operator
from shared.schemas.auth import UserOut
from shared.schemas.dispatch import EventView
from telephony.api import Softphone
from telephony.call_log import CallLog
from telephony.screen_pop import ScreenPop

log = logging.getLogger(__name__)


class Session:
    def __init__(
        self,
        client: ApiClient,
        user: UserOut,
        *,
        directory: Path | None = None,
        softphone: Softphone | None = None,
        feed_head: int | None = None,
    ) -> None:
        """``feed_head``: the change feed's head the login answered (where a new store starts)."""
        self.client = client
        self.user = user
        self.operator = Operator(user_id=user.id, display_name=user.display_name)
        folder = directory or data_dir()
        self.store = LocalStore(folder / f"local-{user.username}.sqlite3")
        self.on_outbox: list[Callable[[OutboxItem], None]] = []
        self.on_feed_state: list[Callable[[FeedState], None]] = []
        self.on_event: list[Callable[[EventView], None]] = []
        self.on_login_required: list[Callable[[str], None]] = []
        self.pusher = OutboxPusher(
            client,
            self.store.outbox,
            on_change=self._outbox_changed,
            on_login_required=self._login_required,
        )
        self.follower = ChangeFollower(
            client, self.store, self._event, on_state=self._feed_state, head_at_login=feed_head
        )
        self.softphone = softphone
        self.call_log: CallLog | None = None
        self.flow: CallFlow | None = None
        self.screen_pop: ScreenPop | None = None
        if softphone is not None:
            self.call_log = CallLog(
                folder / f"calls-{user.username}.sqlite3",
                ServerCallLogSink(client),
                local_number=user.username,
            )
            self.flow = CallFlow(softphone, self.call_log)
            self.flow.attach()
            self.screen_pop = ScreenPop(ServerLookup(client), self.flow.on_event)
            softphone.add_listener(self.screen_pop.on_event)
        self._tasks: list[asyncio.Task[None]] = []

    def _outbox_changed(self, item: OutboxItem) -> None:
        for listener in list(self.on_outbox):
            listener(item)

    def _login_required(self, message: str) -> None:
        for listener in list(self.on_login_required):
            listener(message)

    def _event(self, event: EventView) -> None:
        """Each view gets the event even if another one fails on it: a failure reaching the follower
        would make it deliver the same event again, twice to the views before the failing one."""
        for listener in list(self.on_event):
            try:
                listener(event)
            except Exception:
                log.exception("a view failed on event %s (%s)", event.seq, event.type)

    def _feed_state(self, state: FeedState) -> None:
        for listener in list(self.on_feed_state):
            listener(state)

    def start(self) -> None:
        self._tasks = [asyncio.ensure_future(self.pusher.run()), asyncio.ensure_future(self.follower.run())]
        if self.call_log is not None:
            self._tasks.append(asyncio.ensure_future(self.call_log.keep_sending()))

    def resume(self, token: str) -> None:
        """After a new login (expired session): everything waiting goes on."""
        self.pusher.resume(token)
        self.follower.resume(token)

    async def stop(self) -> None:
        self.follower.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if self.call_log is not None:
            self.call_log.close()
        await self.client.aclose()
        self.store.close()
