"""« Mon état » to the server (``PUT /agents/me/state``), Qt-free: the latest state wins.

The desktop keeps one wanted state; ``report`` replaces it and wakes the sender. While the server
is unreachable (or fails, 408/429) the sender retries after 1, 2, 4 … ``backoff_max`` seconds —
always with the latest state: a state superseded before it could leave is never sent, so the server
never receives a backlog of stale states. A new state cuts the wait short. An expired session
pauses the sender until ``resume``; a refused state (4xx) is not retried (the server's reason is
said) — except a transition refused because a state was skipped while the server was away (the
server still « Disponible » when the call is already in « Post-appel »): the states the call went
through in between are sent first (`LIFECYCLE`), then the wanted one. ``on_problem`` tells the
operator, in French, when the server does not hold their state (and "" once it does again).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from desktop.sync.errors import ApiProblem, RequestRefused, ServerUnavailable, SessionExpired
from shared.schemas.hotline import AgentState, AgentStateIn

log = logging.getLogger(__name__)
Send = Callable[[AgentStateIn], Awaitable[None]]
NOT_ON_THE_HOTLINE = (
    "Mon état reste sur ce poste : votre compte ne reçoit pas les appels du numéro du standard"
)


# A call's life: a state skipped on this path really happened (the server may refuse to jump it).
LIFECYCLE = (AgentState.OFFLINE, AgentState.AVAILABLE, AgentState.IN_CALL, AgentState.AFTER_CALL)
TRANSITION_REFUSED = "agent_transition"


def steps_between(current: str, body: AgentStateIn) -> list[AgentStateIn]:
    """The states between the server's ``current`` and ``body`` on a call's life (none when either
    is off that path, e.g. « Pause »)."""
    try:
        start, end = LIFECYCLE.index(AgentState(current)), LIFECYCLE.index(body.state)
    except ValueError:
        return []
    between = LIFECYCLE[start + 1 : end] if start < end else ()
    return [body.model_copy(update={"state": state, "pause_reason": None}) for state in between]


def _label(body: AgentStateIn) -> str:
    return body.state.label


class StateReporter:
    def __init__(
        self,
        send: Send,
        on_problem: Callable[[str], None] | None = None,
        *,
        backoff_start: float = 1.0,
        backoff_max: float = 30.0,
    ) -> None:
        self.send = send
        self.on_problem = on_problem
        self.backoff_start = backoff_start
        self.backoff_max = backoff_max
        self.wanted: AgentStateIn | None = None
        self.held: AgentStateIn | None = None  # what the server acknowledged last
        self.refused: AgentStateIn | None = None  # refused as it is: not retried
        self.problem = ""
        self.attempts = 0  # failed tries of the current wanted state
        self.sent_count = 0
        self.paused = False  # expired session, until ``resume``
        self.forbidden = False  # this account is not one the hotline rings: nothing is sent
        self._wake = asyncio.Event()

    # ---- what the desktop wants -------------------------------------------------------------------
    def report(self, body: AgentStateIn) -> None:
        if body == self.wanted and body != self.refused:
            return
        if body == self.refused:
            self.refused = None  # chosen again: tried again
        self.wanted = body
        self.attempts = 0
        self._wake.set()

    def resume(self) -> None:
        """After a new login: the latest state goes at once."""
        self.paused = False
        self.attempts = 0
        self._wake.set()

    @property
    def settled(self) -> bool:
        """The server holds the latest state (or it was refused, or there is nothing to send)."""
        return self.forbidden or self.wanted is None or self.wanted in (self.held, self.refused)

    # ---- sending ----------------------------------------------------------------------------------
    def delay_for(self, attempts: int) -> float:
        return float(min(self.backoff_start * 2 ** max(attempts - 1, 0), self.backoff_max))

    async def run(self) -> None:
        """Sends until cancelled (the session's task)."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            while not self.settled and not self.paused:
                if await self.send_once():
                    continue
                if self.paused or self.settled:
                    break
                with contextlib.suppress(TimeoutError):  # a new state or a resume cuts the wait
                    await asyncio.wait_for(self._wake.wait(), self.delay_for(self.attempts))
                self._wake.clear()

    async def send_once(self) -> bool:
        """One try of the wanted state; True when the server answered (held or refused it), False
        when it must be tried again later (unreachable) or after a new login."""
        body = self.wanted
        if body is None or self.forbidden:
            return True
        try:
            await self.send(body)
        except ServerUnavailable as problem:
            self.attempts += 1
            wait = round(self.delay_for(self.attempts))
            self._say(
                f"Mon état « {_label(body)} » pas encore transmis au serveur ({problem}) : "
                f"nouvel essai dans {wait} s"
            )
            return False
        except SessionExpired:
            self.paused = True
            self._say(f"Mon état « {_label(body)} » en attente : reconnectez-vous pour le transmettre")
            return False
        except RequestRefused as problem:
            steps = steps_between(str(problem.body.get("state", "")), body)
            if problem.code == TRANSITION_REFUSED and steps and await self._through(steps, body):
                return self._held(body)
            if problem.status == 403:
                self.forbidden = True
                self._say(NOT_ON_THE_HOTLINE)
            else:
                self.refused = body
                self._say(f"Mon état « {_label(body)} » refusé par le serveur : {problem.full_message()}")
            return True
        return self._held(body)

    def _held(self, body: AgentStateIn) -> bool:
        self.held, self.sent_count = body, self.sent_count + 1
        if body == self.wanted:
            self.attempts = 0
            self._say("")
        return True

    async def _through(self, steps: list[AgentStateIn], body: AgentStateIn) -> bool:
        """The skipped states, then ``body``; False when any is refused or fails."""
        try:
            for step in [*steps, body]:
                await self.send(step)
        except ApiProblem as problem:
            log.info("state %s not reached through %s: %s", body.state, [s.state for s in steps], problem)
            return False
        return True

    def server_holds(self, body: AgentStateIn) -> None:
        """The server set this state itself (an automatic change): nothing to send."""
        self.wanted = self.held = body
        self.attempts = 0
        self._say("")

    async def send_now(self, body: AgentStateIn, timeout: float) -> bool:
        """Leaving (« Hors ligne » before the softphone unregisters): this state, at once, waiting
        ``timeout`` seconds at most; it also becomes the wanted state. True when the server has it."""
        self.wanted = body
        if self.forbidden:
            return False
        try:
            await asyncio.wait_for(self.send(body), timeout)
        except (ApiProblem, TimeoutError) as problem:
            log.info("state %s not sent on leaving: %s", body.state, problem)
            return False
        self.held = body
        self.sent_count += 1
        return True

    def _say(self, text: str) -> None:
        if text == self.problem:
            return
        self.problem = text
        if self.on_problem is not None:
            self.on_problem(text)
