"""The change-feed follower: WebSocket ``/events?after=``, falling back to polling ``/changes``.

It resumes from the last ``seq`` it handled — kept in the local store, so a restart of the
desktop resumes too — after any disconnect (a new store starts at the feed's head: the views read
the current state from the API), and hands each event to the handler exactly once,
in order: an event at or below the position (a replay after a reconnection) is skipped. The
position moves only after the handler returned, so an event is never skipped by a crash either.

The handler gets typed events (``shared.schemas.feed.FeedEvent``: its payload's class says what
happened). A wire event that does not parse — a type from a newer server, or data that does not fit
its type — is skipped with a log line (``parse_event``'s) and the position moves past it: the
next events still come, and the view it concerned shows the change at its next read.

``state`` follows the seeds' status diode: « Connecté », « En cours de connexion », « Pas de
connexion serveur »; a 401 (or WebSocket close 4401) pauses until ``resume(token)``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from desktop.store.database import LocalStore
from desktop.sync.client import ApiClient
from desktop.sync.errors import ApiProblem, ServerUnavailable, SessionExpired
from shared.schemas.dispatch import EventView
from shared.schemas.feed import FeedEvent, parse_event

log = logging.getLogger(__name__)
CLOSE_UNAUTHENTICATED = 4401
Handler = Callable[[FeedEvent], Awaitable[None] | None]


class FeedState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"  # WebSocket open
    POLLING = "polling"  # WebSocket refused, /changes answers
    OFFLINE = "offline"
    LOGIN_REQUIRED = "login_required"

    @property
    def label(self) -> str:
        return {
            "connecting": "En cours de connexion",
            "live": "Connecté",
            "polling": "Connecté",
            "offline": "Pas de connexion serveur",
            "login_required": "Session expirée : reconnectez-vous",
        }[self.value]


class ChangeFollower:
    def __init__(
        self,
        client: ApiClient,
        store: LocalStore,
        handler: Handler,
        *,
        stream: str = "events",
        poll_interval: float = 2.0,
        websocket_retry: float = 10.0,
        backoff_start: float = 0.5,
        backoff_max: float = 15.0,
        on_state: Callable[[FeedState], None] | None = None,
        head_at_login: int | None = None,
    ) -> None:
        """``head_at_login``: the feed's head the login answered; a store that never followed the
        feed starts there at once (else it asks the server for the head when it starts)."""
        self.client = client
        self.store = store
        self.handler = handler
        self.stream = stream
        self.poll_interval = poll_interval
        self.websocket_retry = websocket_retry
        self.backoff_start = backoff_start
        self.backoff_max = backoff_max
        self.on_state = on_state
        self.position = store.feed_position(stream)
        if head_at_login is not None and not store.feed_started(stream):
            self.position = max(self.position, head_at_login)
            store.set_feed_position(self.position, stream)
        self.state = FeedState.CONNECTING
        self._resumed = asyncio.Event()
        self._stopped = False

    def _set_state(self, state: FeedState) -> None:
        if state is not self.state:
            self.state = state
            if self.on_state is not None:
                self.on_state(state)

    def resume(self, token: str) -> None:
        self.client.token = token
        self._resumed.set()

    def stop(self) -> None:
        self._stopped = True
        self._resumed.set()

    async def deliver(self, event: EventView) -> bool:
        """Hands one wire event, typed, to the handler unless already handled (or not understood:
        skipped, logged); then records the position. True when the handler got it."""
        if event.seq <= self.position:
            return False
        typed = parse_event(event)
        if typed is not None:
            outcome = self.handler(typed)
            if inspect.isawaitable(outcome):
                await outcome
        self.position = event.seq
        self.store.set_feed_position(event.seq, self.stream)
        return typed is not None

    async def run(self) -> None:
        """Until ``stop()``. A refusal other than 401 (4403: role not allowed) ends it with ``ApiProblem``;
        any other failure (a handler that raised, a malformed event) is logged and retried after a
        pause, from the last event handled."""
        failures = 0
        while not self._stopped:
            if self.state is FeedState.LOGIN_REQUIRED:
                await self._resumed.wait()
                self._set_state(FeedState.CONNECTING)
                continue
            try:
                await self._start_at_head_once()
                await self._follow_or_poll()
                failures = 0
            except SessionExpired:
                self._resumed.clear()  # before anyone can see the state and resume
                self._set_state(FeedState.LOGIN_REQUIRED)
            except ServerUnavailable:
                self._set_state(FeedState.OFFLINE)
                failures += 1
                await asyncio.sleep(self._backoff(failures))
            except (ApiProblem, asyncio.CancelledError):
                raise
            except Exception:
                log.exception("change feed follower failed; retrying from seq %s", self.position)
                failures += 1
                await asyncio.sleep(self._backoff(failures))

    def _backoff(self, failures: int) -> float:
        return float(min(self.backoff_max, self.backoff_start * 2 ** (failures - 1)))

    async def _start_at_head_once(self) -> None:
        """A store that never followed the feed (a new workstation, a new user) starts at the
        feed's head: the views read the current state from the API, and replaying the whole history
        (every event since the server's first day) would only delay the live events."""
        if self.store.feed_started(self.stream):
            return
        head = await self.client.feed_head()
        self.position = max(self.position, head)
        self.store.set_feed_position(self.position, self.stream)

    async def _follow_or_poll(self) -> None:
        try:
            await self._follow_websocket()
        except (OSError, TimeoutError, ConnectionClosed, InvalidHandshake, InvalidURI) as exc:
            log.info("change feed WebSocket unavailable (%s); polling /changes", exc)
            await self._poll_for(self.websocket_retry)

    async def _follow_websocket(self) -> None:
        if self.state is not FeedState.LIVE:
            self._set_state(FeedState.CONNECTING)
        headers = {"Authorization": f"Bearer {self.client.token}"} if self.client.token else {}
        url = self.client.events_url(self.position)
        async with connect(url, additional_headers=headers, open_timeout=5, proxy=None) as websocket:
            self._set_state(FeedState.LIVE)
            try:
                async for message in websocket:
                    await self.deliver(EventView.model_validate_json(message))
                    if self._stopped:
                        return
            except ConnectionClosed as closed:
                self._raise_if_refused(closed)
                raise
            self._raise_if_refused(None, websocket.close_code, websocket.close_reason)
        raise ConnectionResetError("le flux d'événements s'est fermé")

    @staticmethod
    def _raise_if_refused(
        closed: ConnectionClosed | None, code: int | None = None, reason: str | None = None
    ) -> None:
        if closed is not None and closed.rcvd is not None:
            code, reason = closed.rcvd.code, closed.rcvd.reason
        if code == CLOSE_UNAUTHENTICATED:
            raise SessionExpired(reason or "Session expirée : reconnectez-vous", status=401)
        if code is not None and 4400 <= code < 4500:
            raise ApiProblem(reason or f"Flux d'événements refusé ({code})", status=code)

    async def _poll_for(self, seconds: float) -> None:
        """Reads ``/changes`` every ``poll_interval`` for ``seconds``, then the WebSocket is tried again."""
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds
        while not self._stopped:
            page = await self.client.changes(self.position)
            self._set_state(FeedState.POLLING)
            for event in page.events:
                await self.deliver(event)
            if len(page.events) == 0 and loop.time() >= until:
                return
            if not page.events:
                await asyncio.sleep(self.poll_interval)
