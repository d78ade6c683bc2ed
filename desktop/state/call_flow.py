"""Call handling state, Qt-free: what the call popup and the operator's status show.

``CallFlow`` is the one listener of the softphone and of the screen pop (it forwards each event
to the call log first, so that every call has its record id). An incoming call pops up at once
with its number; the candidates arrive with ``CallerIdentified``. Commands go to the softphone
(a ``telephony.api.Softphone``); answering while in a call puts that call on hold first (call
waiting). « Nouveau déclenchement » from a call opens the wizard with « Tél appel » and the
identified caller filled in, and cases created from it are linked to the call's record.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from desktop.state.wizard.wizard import Wizard
from shared.schemas.hotline import AgentState
from telephony.api import PhoneError, RejectCode, Softphone
from telephony.call_log import CallLog
from telephony.events import (
    CallDirection,
    CallEnded,
    CallerIdentified,
    CallMediaChanged,
    CallState,
    CallStateChanged,
    Candidate,
    EndCause,
    IdentificationOutcome,
    IncomingCall,
    MediaState,
    OutgoingCallStarted,
    PhoneEvent,
)

log = logging.getLogger(__name__)

_SIP_URI = re.compile(r"^sips?:([^@\s]+@)?[A-Za-z0-9.\-\[\]:]+(;[^\s]*)?$", re.IGNORECASE)
_DIALLED = re.compile(r"^\+?[0-9*#]+$")
WRAP_UP_SECONDS = 30.0  # « Post-appel » ends by itself after this until the server's setting is read
TRANSFER_HINT = "un numéro (01 23 45 67 89), un poste (1234) ou une adresse sip:…"


def transfer_destination_error(destination: str) -> str | None:
    """None when ``destination`` can be dialled for a blind transfer, else the French reason."""
    text = destination.strip()
    if not text:
        return f"Indiquez le destinataire du transfert : {TRANSFER_HINT}"
    if text.lower().startswith(("sip:", "sips:")):
        return None if _SIP_URI.match(text) else f"Adresse SIP invalide : {text}"
    dialled = re.sub(r"[\s.\-()]", "", text)
    if not _DIALLED.match(dialled):
        return f"Destinataire invalide : {TRANSFER_HINT}"
    if len(dialled.lstrip("+")) < 2 or len(dialled) > 16:
        return f"Numéro de transfert invalide : {text}"
    return None


# « Mon état » is the shared AgentState the server records (issue 19): the desktop's old name kept.
OperatorState = AgentState


class CallPhase(StrEnum):
    RINGING = "ringing"
    DIALING = "dialing"
    ACTIVE = "active"
    HELD = "held"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return {
            "ringing": "Appel entrant",
            "dialing": "Appel sortant",
            "active": "En communication",
            "held": "En attente",
            "ended": "Terminé",
        }[self.value]


@dataclass(slots=True)
class CallView:
    call_id: int
    direction: CallDirection
    number: str
    display_name: str
    started_at: datetime
    phase: CallPhase
    waiting: bool = False  # arrived while another call was in progress
    sip_call_id: str = ""  # the SIP Call-ID (what the server's hotline knows the call by)
    record_id: str | None = None  # the call log record (its UUID)
    identification: IdentificationOutcome | None = None
    candidates: tuple[Candidate, ...] = ()
    chosen: Candidate | None = None
    muted: bool = False
    remote_hold: bool = False
    case_numbers: list[str] = field(default_factory=list)
    end_cause: EndCause | None = None

    @property
    def identity_line(self) -> str:
        """What the popup shows under the number."""
        if self.chosen is not None:
            return self.chosen.display_name
        if self.identification is None or self.identification is IdentificationOutcome.PENDING:
            return "Recherche de l'appelant…"
        if self.identification is IdentificationOutcome.FAILED:
            return "Identification impossible"
        if not self.candidates:
            return "Numéro inconnu"
        if len(self.candidates) == 1:
            return self.candidates[0].display_name
        return f"{len(self.candidates)} personnes sur ce numéro : choisissez"


class CallFlow:
    def __init__(
        self,
        phone: Softphone,
        call_log: CallLog | None = None,
        on_change: Callable[[CallView | None], None] | None = None,
        wrap_up_seconds: float = WRAP_UP_SECONDS,
    ) -> None:
        self.phone = phone
        self.wrap_up_seconds = wrap_up_seconds  # the UI's timer calls ``end_wrap_up`` after it
        self.call_log = call_log
        self.on_change = on_change
        self.calls: dict[int, CallView] = {}  # calls not ended, by softphone call id
        self.finished: list[CallView] = []  # ended calls of this session, most recent last
        self.operator_state = AgentState.AVAILABLE
        self.pause_reason: str | None = None  # the code of the platform's list, in « Pause »
        self.wrapped: CallView | None = None  # the call « Post-appel » follows (its qualification)
        self.on_state: list[Callable[[CallFlow], None]] = []  # « Mon état » changed (sent to the server)
        self.message = ""  # last command failure, French

    def attach(self) -> None:
        """Listens to the softphone (the screen pop's ``emit`` should be ``on_event`` too)."""
        self.phone.add_listener(self.on_event)

    def _notify(self, view: CallView | None) -> None:
        if self.on_change is not None:
            self.on_change(view)

    # ---- events -----------------------------------------------------------------------------------
    def on_event(self, event: PhoneEvent) -> None:
        if self.call_log is not None:
            self.call_log.on_event(event)
        view: CallView | None = None
        match event:
            case IncomingCall():
                view = CallView(
                    event.call_id,
                    CallDirection.INCOMING,
                    event.caller,
                    event.display_name,
                    event.received_at,
                    CallPhase.RINGING,
                    waiting=event.waiting or self._busy(),
                    sip_call_id=event.sip_call_id,
                )
                self._add(view)
            case OutgoingCallStarted():
                view = CallView(
                    event.call_id,
                    CallDirection.OUTGOING,
                    event.destination,
                    "",
                    event.started_at,
                    CallPhase.DIALING,
                    sip_call_id=event.sip_call_id,
                )
                self._add(view)
            case CallerIdentified() if event.call_id in self.calls:
                view = self.calls[event.call_id]
                if event.outcome is not IdentificationOutcome.PENDING or view.identification is None:
                    view.identification, view.candidates = event.outcome, event.candidates
                    if len(event.candidates) == 1 and view.chosen is None:
                        view.chosen = event.candidates[0]
                    elif view.chosen is not None and view.chosen not in event.candidates:
                        view.chosen = None
            case CallStateChanged(state=CallState.CONFIRMED) if event.call_id in self.calls:
                view = self.calls[event.call_id]
                if view.phase is not CallPhase.HELD:
                    view.phase = CallPhase.ACTIVE
                self._change_state(AgentState.IN_CALL)
            case CallMediaChanged() if event.call_id in self.calls:
                view = self.calls[event.call_id]
                view.muted = event.muted
                view.remote_hold = event.media is MediaState.REMOTE_HOLD
                if event.media is MediaState.LOCAL_HOLD:
                    view.phase = CallPhase.HELD
                elif event.media is MediaState.ACTIVE and view.phase is CallPhase.HELD:
                    view.phase = CallPhase.ACTIVE
            case CallEnded() if event.call_id in self.calls:
                view = self.calls.pop(event.call_id)
                view.phase, view.end_cause = CallPhase.ENDED, event.cause
                self.finished.append(view)
                answered = event.cause in (EndCause.COMPLETED, EndCause.TRANSFERRED)
                if not self._busy() and self.operator_state is AgentState.IN_CALL and answered:
                    self.wrapped = view
                    self._change_state(AgentState.AFTER_CALL)
                elif self.operator_state is AgentState.IN_CALL and self.in_call() is not None:
                    self._state_changed()  # another call is now the one in progress
            case _:
                return
        in_call = self.operator_state is AgentState.IN_CALL
        if in_call and isinstance(event, (CallerIdentified, CallMediaChanged)):
            self._state_changed()  # who is on the line, as shown, goes with « En appel »
        self._notify(view)

    def _add(self, view: CallView) -> None:
        if self.call_log is not None:
            view.record_id = self.call_log.record_id(view.call_id)
        self.calls[view.call_id] = view

    def _busy(self) -> bool:
        return any(view.phase in (CallPhase.ACTIVE, CallPhase.HELD) for view in self.calls.values())

    def ringing(self) -> list[CallView]:
        return [view for view in self.calls.values() if view.phase is CallPhase.RINGING]

    def held(self) -> list[CallView]:
        return [view for view in self.calls.values() if view.phase is CallPhase.HELD]

    def active(self) -> CallView | None:
        return next((view for view in self.calls.values() if view.phase is CallPhase.ACTIVE), None)

    def in_call(self) -> CallView | None:
        """The call « En appel » is about: the active one, else a held one."""
        return self.active() or next(iter(self.held()), None)

    # ---- operator's commands ----------------------------------------------------------------------
    async def _run(self, command: Callable[[], Awaitable[None]]) -> bool:
        try:
            await command()
        except PhoneError as error:
            self.message = str(error)
            self._notify(None)
            return False
        self.message = ""
        return True

    async def _hold_the_other(self, call_id: int) -> bool:
        """Puts the call in progress on hold when it is not `call_id` (« double appel »)."""
        current = self.active()
        if current is None or current.call_id == call_id:
            return True
        return await self._run(lambda: self.phone.hold(current.call_id))

    async def answer(self, call_id: int) -> bool:
        """Answers; a call already in progress is put on hold first (« double appel »)."""
        if not await self._hold_the_other(call_id):
            return False
        return await self._run(lambda: self.phone.answer(call_id))

    async def reject(self, call_id: int, code: RejectCode = RejectCode.BUSY) -> bool:
        return await self._run(lambda: self.phone.reject(call_id, code))

    async def hang_up(self, call_id: int) -> bool:
        return await self._run(lambda: self.phone.hang_up(call_id))

    async def hold(self, call_id: int) -> bool:
        return await self._run(lambda: self.phone.hold(call_id))

    async def unhold(self, call_id: int) -> bool:
        """Takes a held call back; the other active call (if any) goes on hold."""
        if not await self._hold_the_other(call_id):
            return False
        return await self._run(lambda: self.phone.unhold(call_id))

    async def toggle_mute(self, call_id: int) -> bool:
        view = self.calls[call_id]
        return await self._run(lambda: self.phone.set_muted(call_id, not view.muted))

    async def send_dtmf(self, call_id: int, digits: str) -> bool:
        return await self._run(lambda: self.phone.send_dtmf(call_id, digits))

    async def transfer(self, call_id: int, destination: str) -> bool:
        """Blind transfer; a destination that cannot be dialled is refused here, in French."""
        error = transfer_destination_error(destination)
        if error is not None:
            self.message = error
            self._notify(None)
            return False
        target = destination.strip()
        if not target.lower().startswith(("sip:", "sips:")):
            target = re.sub(r"[\s.\-()]", "", target)
        return await self._run(lambda: self.phone.transfer(call_id, target))

    def set_operator_state(self, state: AgentState, pause_reason: str | None = None) -> None:
        """The operator's choice (« Mon état », Ctrl+E); ``pause_reason``: the code for « Pause »."""
        self._change_state(state, pause_reason)
        self._notify(None)

    def follow_server(self, state: AgentState, pause_reason: str | None = None) -> None:
        """The server changed this operator's state by itself (unanswered calls, a desktop seen gone):
        the desktop follows, and does not send it back (the listeners are told: they know why)."""
        self._change_state(state, pause_reason)
        self._notify(None)

    def _change_state(self, state: AgentState, pause_reason: str | None = None) -> None:
        reason = pause_reason if state is AgentState.PAUSE else None
        if (state, reason) == (self.operator_state, self.pause_reason):
            return
        if state is not AgentState.AFTER_CALL:
            self.wrapped = None
        self.operator_state, self.pause_reason = state, reason
        self._state_changed()

    def _state_changed(self) -> None:
        for listener in list(self.on_state):
            listener(self)

    def end_wrap_up(self) -> bool:
        """« Post-appel » over (its delay passed, or « Prêt »): back to « Disponible ». Nothing
        changes when the operator chose another state meanwhile or took another call. True when it
        ended."""
        if self.operator_state is not AgentState.AFTER_CALL or self._busy():
            return False
        self.set_operator_state(AgentState.AVAILABLE)
        return True

    # ---- the wizard from a call -------------------------------------------------------------------
    def choose_candidate(self, call_id: int, candidate_id: str) -> None:
        view = self.calls[call_id]
        view.chosen = next(c for c in view.candidates if c.id == candidate_id)
        self._notify(view)

    def new_case(self, call_id: int) -> Wizard:
        """« Nouveau déclenchement » from the call: Tél appel and the caller filled in."""
        view = self.calls.get(call_id) or next(v for v in reversed(self.finished) if v.call_id == call_id)
        chosen = view.chosen if view.chosen is None or view.chosen.kind != "patient" else None
        return Wizard.from_call(view.number, view.record_id or "", chosen)

    def case_created(self, record_id: str, case_number: str) -> None:
        """A case made from the call of this record: linked during the call, or to its stored record."""
        for view in self.calls.values():
            if view.record_id == record_id:
                if case_number not in view.case_numbers:
                    view.case_numbers.append(case_number)
                if self.call_log is not None:
                    self.call_log.add_case_number(view.call_id, case_number)
                self._notify(view)
                return
        for view in self.finished:
            if view.record_id == record_id and case_number not in view.case_numbers:
                view.case_numbers.append(case_number)
        if self.call_log is not None:
            self.call_log.attach_case_after_call(record_id, case_number)
