"""The softphone's state on the pjsua2 thread: calls, account, audio, and the commands on them."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pjsua2 as pj

from telephony.api import PhoneError, RejectCode
from telephony.config import SipAccount
from telephony.events import (
    CallDirection,
    CallEnded,
    CallMediaChanged,
    CallState,
    CallStateChanged,
    EndCause,
    IncomingCall,
    OutgoingCallStarted,
    PhoneEvent,
)
from telephony.pjsua2_adapter.account import PhoneAccount, Registration, account_config
from telephony.pjsua2_adapter.audio import Audio
from telephony.pjsua2_adapter.call import CALL_STATES, MEDIA_STATES, PhoneCall
from telephony.pjsua2_adapter.engine import Engine
from telephony.sip_identity import caller_of, parse_name_addr, uri_user

UNANSWERED_CODES = frozenset({408, 480, 486, 487, 600, 603})


def _now() -> datetime:
    return datetime.now(UTC)


class Phone:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.emit: Callable[[PhoneEvent], None] = engine.emit
        self.calls: dict[int, PhoneCall] = {}
        self._adopting: list[PhoneCall] = []  # calls made for a transfer, until they get an id
        self.audio: Audio | None = None
        self.registration = Registration(engine, self)
        self._direct: PhoneAccount | None = None

    def setup(self) -> None:
        self.engine.on_shutdown(self.shutdown)
        config = self.engine.config
        self.audio = Audio(config, self.engine.ep)
        self.audio.setup()
        host = config.public_address or config.bind_address
        direct = PhoneAccount(self, None)
        uri = f"sip:{config.local_user}@{host}:{self.engine.local_port}"
        if config.local_display_name:
            uri = f'"{config.local_display_name}" <{uri}>'
        direct.create(account_config(config, uri))
        self._direct = direct
        self.engine.on_tick(lambda: self.registration.check_network(time.monotonic()))

    # ---- callbacks ------------------------------------------------------------------------
    def incoming_call(self, account: PhoneAccount, prm: Any) -> None:
        call = PhoneCall(self, account, CallDirection.INCOMING, prm.callId)
        info = call.getInfo()
        caller = caller_of(str(prm.rdata.wholeMsg), str(info.remoteUri))
        waiting = any(c.answered for c in self.calls.values())
        self.calls[info.id] = call
        self.emit(
            IncomingCall(
                call_id=info.id,
                caller=caller.number,
                caller_raw=caller.raw,
                display_name=caller.display_name,
                called=uri_user(parse_name_addr(str(info.localUri))[1]),
                sip_call_id=str(info.callIdString),
                received_at=_now(),
                waiting=waiting,
            )
        )
        ringing = pj.CallOpParam()
        ringing.statusCode = 180
        call.answer(ringing)
        self._update_ringing()

    def call_state_changed(self, call: PhoneCall) -> None:
        info = call.getInfo()
        if call in self._adopting:
            self._adopting.remove(call)
            self.calls[info.id] = call
        state = CALL_STATES.get(info.state)
        if state is None:
            return
        self.emit(CallStateChanged(info.id, state, int(info.lastStatusCode), str(info.lastReason)))
        if state is CallState.CONFIRMED:
            call.answered = True
        elif state is CallState.DISCONNECTED:
            self.calls.pop(info.id, None)
            self.engine.release(call)
            duration = info.connectDuration.sec + info.connectDuration.msec / 1000 if call.answered else 0.0
            self.emit(
                CallEnded(
                    info.id, call.direction, self._cause(call, int(info.lastStatusCode)),
                    int(info.lastStatusCode), str(info.lastReason), float(duration), _now(),
                )
            )  # fmt: skip
        self._update_ringing()

    @staticmethod
    def _cause(call: PhoneCall, code: int) -> EndCause:
        if call.transferred:
            return EndCause.TRANSFERRED
        if call.answered:
            return EndCause.COMPLETED
        if call.direction is CallDirection.INCOMING:
            return EndCause.REJECTED if call.rejected else EndCause.MISSED
        return EndCause.UNANSWERED if code in UNANSWERED_CODES else EndCause.FAILED

    def call_media_changed(self, call: PhoneCall) -> None:
        assert self.audio is not None
        status = self.audio.wire(call)
        self.emit(CallMediaChanged(call.getId(), MEDIA_STATES.get(status, MEDIA_STATES[0]), call.muted))

    def transferred_call(self, original: PhoneCall) -> PhoneCall:
        account = self.registration.account or self._direct
        new_call = PhoneCall(self, account, CallDirection.OUTGOING)
        self._adopting.append(new_call)
        return new_call

    def transfer_succeeded(self, call: PhoneCall) -> None:
        """Blind transfer done: the transferor leaves the call."""
        if call.isActive():
            call.hangup(pj.CallOpParam(True))

    def _update_ringing(self) -> None:
        if self.audio is None:
            return
        ringing = [c for c in self.calls.values() if c.direction is CallDirection.INCOMING and not c.answered]
        if not ringing:
            self.audio.stop_ringing()
        else:
            self.audio.ring(waiting=any(c.answered for c in self.calls.values()))

    # ---- commands -------------------------------------------------------------------------
    def _call(self, call_id: int) -> PhoneCall:
        call = self.calls.get(call_id)
        if call is None:
            raise PhoneError(f"Cet appel n'existe plus (n° {call_id})")
        return call

    def register(self, settings: SipAccount, password: str) -> None:
        self.registration.register(settings, password)

    def answer(self, call_id: int) -> None:
        op = pj.CallOpParam(True)
        op.statusCode = 200
        self._call(call_id).answer(op)

    def reject(self, call_id: int, code: RejectCode) -> None:
        call = self._call(call_id)
        if call.answered:
            raise PhoneError("Appel déjà décroché : raccrochez plutôt que de refuser")
        call.rejected = True
        op = pj.CallOpParam(True)
        op.statusCode = int(code)
        call.hangup(op)

    def hang_up(self, call_id: int) -> None:
        self._call(call_id).hangup(pj.CallOpParam(True))

    def hold(self, call_id: int) -> None:
        self._call(call_id).setHold(pj.CallOpParam(True))

    def unhold(self, call_id: int) -> None:
        op = pj.CallOpParam(True)
        op.opt.flag = pj.PJSUA_CALL_UNHOLD
        self._call(call_id).reinvite(op)

    def set_muted(self, call_id: int, muted: bool) -> None:
        call = self._call(call_id)
        call.muted = muted
        self.call_media_changed(call)

    def send_dtmf(self, call_id: int, digits: str) -> None:
        if not digits or any(d not in "0123456789*#ABCD" for d in digits.upper()):
            raise PhoneError(f"Touches invalides : {digits!r} (chiffres, * et # seulement)")
        self._call(call_id).dialDtmf(digits.upper())

    def transfer(self, call_id: int, destination: str) -> None:
        self._call(call_id).xfer(self._uri(destination), pj.CallOpParam(True))

    def call(self, destination: str) -> int:
        account = self.registration.account or self._direct
        call = PhoneCall(self, account, CallDirection.OUTGOING)
        uri = self._uri(destination)
        sent = time.monotonic()  # makeCall sends the INVITE before it returns (UDP)
        call.makeCall(uri, pj.CallOpParam(True))
        info = call.getInfo()
        self.calls[info.id] = call
        self.emit(OutgoingCallStarted(info.id, destination, str(info.callIdString), _now(), sent))
        return int(info.id)

    def _uri(self, destination: str) -> str:
        target = destination.strip()
        if target.lower().startswith(("sip:", "sips:", "tel:")):
            return target
        domain = self.registration.domain()
        if domain is None:
            raise PhoneError("Pas de serveur d'appels : ce poste ne peut pas composer de numéro")
        dialled = "".join(ch for ch in target if ch.isdigit() or ch in "+*#")
        return f"sip:{dialled}@{domain}"

    def shutdown(self) -> None:
        """Drop calls, shut accounts down, release every pjsua2 object before libDestroy."""
        if self.calls:
            self.engine.ep.hangupAllCalls()
            deadline = time.monotonic() + 2
            while self.calls and time.monotonic() < deadline:
                self.engine.handle_events_for(0.05)
        self.calls.clear()
        self._adopting.clear()
        self.registration.shutdown()
        if self._direct is not None:
            self._direct.shutdown()
            self._direct = None
        if self.audio is not None:
            self.audio.close()
            self.audio = None
        self.engine.handle_events_for(0.2)
