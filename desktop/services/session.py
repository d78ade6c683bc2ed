"""One logged-in session: the API client, the local store, the outbox pusher (cases and call
records), the case sender, the change-feed follower and, when a softphone is given, the call flow
with its call log and screen pop, and for who answers the hotline (operator, supervisor) the
hotline presence: « Mon état » sent to the server, « Hors ligne » first on leaving."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

from desktop.services.call_records import OutboxCallSink
from desktop.services.caller_lookup import ServerLookup
from desktop.services.case_sender import CaseSender
from desktop.services.hotline_presence import HOTLINE_ROLES, HotlinePresence
from desktop.settings import data_dir
from desktop.state.call_flow import CallFlow
from desktop.state.wizard.wizard import Operator
from desktop.store import LocalStore
from desktop.store.outbox import ItemKind, OutboxItem
from desktop.sync.client import ApiClient
from desktop.sync.errors import ApiProblem
from desktop.sync.follower import ChangeFollower, FeedState
from desktop.sync.hotline_api import HotlineApi
from desktop.sync.outbox_pusher import OutboxPusher
from shared.schemas.auth import UserOut
from shared.schemas.feed import FeedEvent
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
        sip_user: str | None = None,
    ) -> None:
        """``feed_head``: the change feed's head the login answered (where a new store starts);
        ``sip_user``: the user part of the SIP account the softphone registers (what Kamailio rings)."""
        self.client = client
        self.user = user
        self.operator = Operator.of(user)  # a secretary's « Service »: her practice
        folder = directory or data_dir()
        self.store = LocalStore(folder / f"local-{user.username}.sqlite3")
        self.on_outbox: list[Callable[[OutboxItem], None]] = []  # the cases (« Mes envois »)
        self.on_feed_state: list[Callable[[FeedState], None]] = []
        self.on_event: list[Callable[[FeedEvent], None]] = []  # the change feed's, typed
        self.on_login_required: list[Callable[[str], None]] = []
        self.pusher = OutboxPusher(
            client,
            self.store.outbox,
            on_change=self._outbox_changed,
            on_login_required=self._login_required,
        )
        self.sender = CaseSender(
            self.store.outbox, self.pusher.wake, on_queued=self._outbox_changed, link_call=self._link_call
        )
        self.follower = ChangeFollower(
            client, self.store, self._event, on_state=self._feed_state, head_at_login=feed_head
        )
        self.softphone = softphone
        self.call_log: CallLog | None = None
        self.flow: CallFlow | None = None
        self.screen_pop: ScreenPop | None = None
        self.presence: HotlinePresence | None = None
        if softphone is not None:
            self.call_log = CallLog(
                folder / f"calls-{user.username}.sqlite3",
                OutboxCallSink(self.store.outbox, self.pusher.wake),  # sent by the pusher
                local_number=user.username,
            )
            self.flow = CallFlow(softphone, self.call_log)
            self.flow.attach()
            self.screen_pop = ScreenPop(ServerLookup(client), self.flow.on_event)
            softphone.add_listener(self.screen_pop.on_event)
            if user.role in HOTLINE_ROLES:
                self.presence = HotlinePresence(HotlineApi(client), self.flow, user.id, sip_user, self.store)
                self.on_event.append(self.presence.on_event)
        self._tasks: list[asyncio.Task[None]] = []
        self._handovers: set[asyncio.Task[int]] = set()

    def _outbox_changed(self, item: OutboxItem) -> None:
        if item.kind is not ItemKind.CASE:
            return  # a call record: nothing on screen waits for it
        self.sender.outbox_changed(item)
        for listener in list(self.on_outbox):
            listener(item)

    def _login_required(self, message: str) -> None:
        for listener in list(self.on_login_required):
            listener(message)

    def _event(self, event: FeedEvent) -> None:
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

    def _link_call(self, record_id: str, case_number: str) -> None:
        """A case sent from a call: linked to the call's record (a finished call's stored record is
        updated, and handed to the outbox again)."""
        if self.flow is None:
            return
        self.flow.case_created(record_id, case_number)
        self._hand_over_calls()

    def _hand_over_calls(self) -> None:
        """The call log's records not yet in the outbox go there (on the loop)."""
        if self.call_log is None:
            return
        task = asyncio.ensure_future(self.call_log.flush())
        self._handovers.add(task)
        task.add_done_callback(self._handovers.discard)

    def start(self) -> None:
        self._tasks = [asyncio.ensure_future(self.pusher.run()), asyncio.ensure_future(self.follower.run())]
        self._hand_over_calls()  # records a previous run stored but did not queue
        if self.presence is not None:
            self.presence.start()

    def resume(self, token: str) -> None:
        """After a new login (expired session): everything waiting goes on."""
        self.pusher.resume(token)
        self.follower.resume(token)
        if self.presence is not None:
            self.presence.resume()

    async def go_offline(self) -> None:
        """« Hors ligne » on the server, before the softphone unregisters (leaving the desktop)."""
        if self.presence is not None:
            await self.presence.leave()

    async def stop(self, *, sign_out: bool = False) -> None:
        """Everything stopped and closed; ``sign_out`` (« Se déconnecter », « Changer
        d'utilisateur »): the token is revoked on the server first — an unreachable server lets it
        expire on its own. What waits in the outbox stays in this user's local file. « Hors ligne »
        is sent first when it was not yet (``go_offline``)."""
        await self.go_offline()
        self.follower.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if self.call_log is not None:
            with contextlib.suppress(Exception):  # the last calls' records kept in the outbox
                await self.call_log.flush()
            self.call_log.close()
        if sign_out:
            with contextlib.suppress(ApiProblem):
                await self.client.logout()
        await self.client.aclose()
        self.store.close()
