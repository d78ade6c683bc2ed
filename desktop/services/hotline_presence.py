"""The operator on the hotline (issue 19), Qt-free: « Mon état » leaves the desktop.

Every change of the call flow's state (the operator's choice, a call answered, ended…) is sent to
the server by the `StateReporter` (latest wins, retried while unreachable) with the SIP user the
softphone registered and, « En appel », the call's SIP Call-ID and who is on the line. The
platform's lists and delays (`GET /hotline/settings`: pause reasons, qualifications,
``wrap_up_seconds``) are read at start (the last ones read are kept in the local store's cache for a
start without the server). An automatic change of this operator's state by the server
(``AgentStateChanged`` with ``automatic``: too many unanswered calls, the desktop seen gone) is
followed — not sent back — and said through ``on_notice``. Leaving sends « Hors ligne » first
(``leave``: before the softphone unregisters).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from desktop.services.qualifications import QualificationSender
from desktop.services.state_reporter import StateReporter
from desktop.state.agent_state import (
    automatic_notice,
    label_of,
    offline_body,
    server_change,
    state_body,
)
from desktop.state.call_flow import CallFlow, CallView
from desktop.store import LocalStore
from desktop.sync.errors import ApiProblem
from desktop.sync.hotline_api import HotlineApi
from shared.domain import Role
from shared.schemas.feed import FeedEvent
from shared.schemas.hotline import AgentState, HotlineSettings

log = logging.getLogger(__name__)
HOTLINE_ROLES = (Role.OPERATOR, Role.SUPERVISOR)  # who answers the hotline's phone (« Mon état »)
SETTINGS_CACHE_KEY = "hotline_settings"
LEAVE_TIMEOUT = 2.0  # seconds « Hors ligne » may take on leaving before the softphone unregisters
SETTINGS_RETRY_START, SETTINGS_RETRY_MAX = 1.0, 30.0  # seconds between reads of unread settings


class HotlinePresence:
    def __init__(
        self,
        api: HotlineApi,
        flow: CallFlow,
        user_id: int,
        sip_user: str | None,
        store: LocalStore | None = None,
        *,
        reporter: StateReporter | None = None,
        qualifications: QualificationSender | None = None,
    ) -> None:
        self.api = api
        self.flow = flow
        self.user_id = user_id
        self.sip_user = sip_user
        self.store = store
        self.settings: HotlineSettings | None = None
        self.on_problem: list[Callable[[str], None]] = []  # the state not held by the server ("": it is)
        self.on_notice: list[Callable[[str, str], None]] = []  # (title, message): the server changed it
        self.on_settings: list[Callable[[HotlineSettings], None]] = []
        self.on_qualified: list[Callable[[str, bool], None]] = []  # (French text, ok)
        self.reporter = reporter or StateReporter(api.put_my_state)
        self.reporter.on_problem = self._problem
        self.qualifications = qualifications or QualificationSender(api.set_qualification)
        self.qualifications.on_outcome = self._qualified
        self._following = False
        self._tasks: list[asyncio.Task[None]] = []
        self.left = False
        flow.on_state.append(self._state_changed)

    # ---- life -------------------------------------------------------------------------------------
    def start(self) -> None:
        """The flow's state now goes to the server, then every change; the settings are read."""
        self.left = False
        self._state_changed(self.flow)
        self._tasks = [
            asyncio.ensure_future(self.reporter.run()),
            asyncio.ensure_future(self._read_settings_once()),
        ]

    def resume(self) -> None:
        self.reporter.resume()

    async def leave(self, timeout: float = LEAVE_TIMEOUT) -> bool:
        """« Hors ligne » at once (logging out, changing user, quitting), before the softphone
        unregisters; then nothing more is sent. True when the server has it."""
        if self.left:
            return True
        self.left = True
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        sent = await self.reporter.send_now(offline_body(self.sip_user), timeout)
        await self.qualifications.stop(wait=min(timeout, 1.0))
        return sent

    # ---- « Mon état » -----------------------------------------------------------------------------
    def _state_changed(self, flow: CallFlow) -> None:
        if self._following or self.left:
            return
        self.reporter.report(state_body(flow, self.sip_user))

    def _problem(self, text: str) -> None:
        for listener in list(self.on_problem):
            listener(text)

    def on_event(self, event: FeedEvent) -> None:
        """A session listener of the change feed: the server's automatic changes of my state."""
        change = server_change(event, self.user_id)
        if change is None or self.left:
            return
        self._following = True
        try:
            self.flow.follow_server(change.state, change.pause_reason)
        finally:
            self._following = False
        self.reporter.server_holds(state_body(self.flow, self.sip_user))
        codes = self.settings.pause_reasons if self.settings is not None else []
        title, message = automatic_notice(change, label_of(codes, change.pause_reason))
        for listener in list(self.on_notice):
            listener(title, message)

    # ---- the platform's settings ------------------------------------------------------------------
    async def _read_settings_once(self) -> None:
        """At start; tried again while neither the server nor the cache gave them (a failed first
        read would otherwise leave the session without pause labels, qualifications or the
        wrap-up's delay until the pause dialog reads them)."""
        delay = SETTINGS_RETRY_START
        while await self.read_settings() is None and not self.left:
            await asyncio.sleep(delay)
            delay = min(delay * 2, SETTINGS_RETRY_MAX)

    async def read_settings(self) -> HotlineSettings | None:
        """The platform's lists and delays (the wrap-up's delay applies to the next « Post-appel »);
        the last ones read when the server does not answer."""
        try:
            settings = await self.api.settings()
        except ApiProblem as problem:
            log.info("hotline settings not read: %s", problem)
            cached = self.store.cache_get(SETTINGS_CACHE_KEY) if self.store is not None else None
            if cached is None or self.settings is not None:
                return self.settings
            settings = HotlineSettings.model_validate(cached)
        else:
            if self.store is not None:
                self.store.cache_put(SETTINGS_CACHE_KEY, settings.model_dump(mode="json"))
        self.settings = settings
        self.flow.wrap_up_seconds = float(settings.wrap_up_seconds)
        for listener in list(self.on_settings):
            listener(settings)
        return settings

    # ---- wrap-up ----------------------------------------------------------------------------------
    def qualify(self, view: CallView, code: str) -> asyncio.Task[None] | None:
        """The wrap-up's qualification of ``view`` (its record); None when the call has no record."""
        if not view.record_id:
            return None
        codes = self.settings.qualifications if self.settings is not None else []
        return self.qualifications.qualify(view.record_id, code, label_of(codes, code))

    def _qualified(self, _record_id: str, text: str, ok: bool) -> None:
        for listener in list(self.on_qualified):
            listener(text, ok)

    def ready(self) -> bool:
        """« Prêt »: « Post-appel » ends now (True when it did)."""
        return self.flow.end_wrap_up()

    def pause(self, reason: str | None) -> None:
        self.flow.set_operator_state(AgentState.PAUSE, reason)
