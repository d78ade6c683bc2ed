"""The queue holder's calls on the pjsua2 thread: callers answered, announced, put on hold, offered
to an operator and bridged to them (docs/hotline.md). Nothing of pjsua2 leaves this thread: the
holder's logic gets typed ``LineEvent``s through ``emit``.

Each waiting caller has a *leg* (their call, their announcement player) and at most one operator
call at a time. One hold-tone generator is shared by every caller past the announcement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pjsua2 as pj

from telephony.api import PhoneError
from telephony.hotline_queue.events import (
    CallerAnswered,
    CallerArrived,
    CallerLeft,
    LineEvent,
    OperatorAnswered,
    OperatorFailed,
    OperatorLeft,
    OperatorRinging,
    PlaybackStarted,
    Playing,
)
from telephony.pjsua2_adapter.account import account_config
from telephony.pjsua2_adapter.engine import Engine, never_raises
from telephony.sip_identity import caller_of

RANG_OUT = 408  # what an offer that rang for ring_seconds is reported as


@dataclass(frozen=True, slots=True)
class HoldSettings:
    announcement: str  # WAV file played once to each caller, from its start
    proxy: str  # "127.0.0.1:5060": where operators are called (sip:<target>@proxy)
    local_user: str = "file"
    hold_tone_hz: int = 523  # 0: silence after the announcement
    hold_tone_on_ms: int = 1000
    hold_tone_off_ms: int = 1000
    # Callers taken at once: pjsua2-python's wheels allow 4 calls per process (PJSUA_MAX_CALLS), and
    # each caller served needs two (theirs and the operator's); more → 486, Kamailio tries another.
    capacity: int = 2


def _tones(freq: int, on_ms: int, off_ms: int) -> Any:
    desc = pj.ToneDesc()
    desc.freq1, desc.freq2, desc.on_msec, desc.off_msec, desc.volume = freq, 0, on_ms, off_ms, 0
    tones = pj.ToneDescVector()
    tones.append(desc)
    return tones


def _audio(call: Any) -> Any | None:
    """The call's active audio stream, if any."""
    info = call.getInfo()
    for media in info.media:
        if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
            return call.getAudioMedia(media.index)
    return None


class QueueAccount(pj.Account):  # type: ignore[misc]  # pjsua2 has no type information
    def __init__(self, calls: QueueCalls) -> None:
        super().__init__()
        self.calls = calls

    @never_raises
    def onIncomingCall(self, prm: Any) -> None:
        self.calls.incoming(self, prm)


class CallerCall(pj.Call):  # type: ignore[misc]
    def __init__(self, calls: QueueCalls, account: Any, call_id: int) -> None:
        super().__init__(account, call_id)
        self.calls = calls
        self.key = -1

    @never_raises
    def onCallState(self, prm: Any) -> None:
        self.calls.caller_state(self)

    @never_raises
    def onCallMediaState(self, prm: Any) -> None:
        self.calls.wire(self.key)


class OperatorCall(pj.Call):  # type: ignore[misc]
    def __init__(self, calls: QueueCalls, account: Any, key: int) -> None:
        super().__init__(account)
        self.calls = calls
        self.key = key
        self.ringing = False
        self.answered = False
        self.rang_out = False

    @never_raises
    def onCallState(self, prm: Any) -> None:
        self.calls.operator_state(self)

    @never_raises
    def onCallMediaState(self, prm: Any) -> None:
        self.calls.wire(self.key)


class Announcement(pj.AudioMediaPlayer):  # type: ignore[misc]
    def __init__(self, calls: QueueCalls, key: int) -> None:
        super().__init__()
        self.calls = calls
        self.key = key

    @never_raises
    def onEof2(self) -> None:
        # a player must not be destroyed inside its own callback: next turn
        self.calls.engine.schedule(0, lambda: self.calls.announcement_done(self.key))


@dataclass
class Leg:
    caller: CallerCall
    player: Announcement | None = None
    on_hold_tone: bool = False
    operator: OperatorCall | None = None
    ring_timer: int | None = None
    bridged: bool = False


class QueueCalls:
    def __init__(self, engine: Engine, settings: HoldSettings, emit: Callable[[LineEvent], None]) -> None:
        self.engine = engine
        self.settings = settings
        self.emit = emit
        self.legs: dict[int, Leg] = {}
        self._account: QueueAccount | None = None
        self._tone: Any = None

    def setup(self) -> None:
        self.engine.on_shutdown(self.shutdown)
        self.engine.ep.audDevManager().setNullDev()  # a server: the conference bridge runs on its clock
        config = self.engine.config
        host = config.public_address or config.bind_address
        uri = f"sip:{self.settings.local_user}@{host}:{self.engine.local_port}"
        account = QueueAccount(self)
        account.create(account_config(config, uri))
        self._account = account
        if self.settings.hold_tone_hz:
            self._tone = pj.ToneGenerator()
            self._tone.createToneGenerator(16000, 1)
            s = self.settings
            self._tone.play(_tones(s.hold_tone_hz, s.hold_tone_on_ms, s.hold_tone_off_ms), True)

    # ---- callers ------------------------------------------------------------------------------
    def incoming(self, account: QueueAccount, prm: Any) -> None:
        call = CallerCall(self, account, prm.callId)
        if len(self.legs) >= self.settings.capacity:
            busy = pj.CallOpParam(True)
            busy.statusCode = 486  # full: Kamailio's dispatcher offers the caller to another line
            call.hangup(busy)
            self.engine.release(call)
            return
        info = call.getInfo()
        call.key = int(info.id)
        party = caller_of(str(prm.rdata.wholeMsg), str(info.remoteUri))
        self.legs[call.key] = Leg(call)
        self.emit(CallerArrived(call.key, str(info.callIdString), party.number, party.display_name))
        answer = pj.CallOpParam(True)
        answer.statusCode = 200  # the announcement needs media: answered at once
        call.answer(answer)

    def caller_state(self, call: CallerCall) -> None:
        info = call.getInfo()
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.emit(CallerAnswered(call.key))
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            leg = self.legs.pop(call.key, None)
            self.engine.release(call)
            if leg is None:  # a caller refused (486: this line was full)
                return
            self.emit(CallerLeft(call.key, int(info.lastStatusCode)))
            self._end_operator(leg)
            self._drop_player(leg)

    def announcement_done(self, key: int) -> None:
        leg = self.legs.get(key)
        if leg is None or leg.player is None:
            return
        self._drop_player(leg)
        leg.on_hold_tone = True
        self.wire(key)
        self.emit(PlaybackStarted(key, Playing.HOLD_TONE))

    def _drop_player(self, leg: Leg) -> None:
        if leg.player is not None:
            stream = _audio(leg.caller) if leg.caller.isActive() else None
            if stream is not None:
                leg.player.stopTransmit(stream)
            self.engine.release(leg.player)
            leg.player = None

    # ---- operators ----------------------------------------------------------------------------
    def offer(self, key: int, target: str, ring_seconds: int, number: str, name: str) -> None:
        leg = self.legs.get(key)
        if leg is None:
            raise PhoneError(f"L'appelant n° {key} a raccroché")
        if leg.operator is not None:
            raise PhoneError(f"L'appelant n° {key} est déjà proposé à un opérateur")
        call = OperatorCall(self, self._account, key)
        op = pj.CallOpParam(True)
        asserted = pj.SipHeader()
        asserted.hName = "P-Asserted-Identity"
        display = name.replace('"', "").replace("\\", "")
        user = number if number and all(c.isalnum() or c in "+-._" for c in number) else "anonymous"
        address = f"<sip:{user}@{self.settings.proxy}>"
        asserted.hValue = f'"{display}" {address}' if display else address
        op.txOption.headers.append(asserted)
        call.makeCall(f"sip:{target}@{self.settings.proxy}", op)
        leg.operator = call
        leg.ring_timer = self.engine.schedule(ring_seconds, lambda: self._rang_out(key, call))

    def _rang_out(self, key: int, call: OperatorCall) -> None:
        leg = self.legs.get(key)
        if leg is not None and leg.operator is call and not call.answered:
            leg.ring_timer = None
            call.rang_out = True
            call.hangup(pj.CallOpParam(True))  # CANCEL: Kamailio stops ringing the operator

    def operator_state(self, call: OperatorCall) -> None:
        info = call.getInfo()
        leg = self.legs.get(call.key)
        if info.state == pj.PJSIP_INV_STATE_EARLY and not call.ringing:
            call.ringing = True
            self.emit(OperatorRinging(call.key))
        elif info.state == pj.PJSIP_INV_STATE_CONFIRMED and not call.answered:
            call.answered = True
            if leg is not None:
                self.engine.cancel(leg.ring_timer)
                leg.ring_timer = None
                self.wire(call.key)
            self.emit(OperatorAnswered(call.key))
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.engine.release(call)
            if leg is None or leg.operator is not call:
                return
            leg.operator = None
            self.engine.cancel(leg.ring_timer)
            leg.ring_timer = None
            if call.answered:
                leg.bridged = False
                self.emit(OperatorLeft(call.key))
            elif call.rang_out:
                self.emit(OperatorFailed(call.key, RANG_OUT, "Pas de réponse"))
            else:
                self.emit(OperatorFailed(call.key, int(info.lastStatusCode), str(info.lastReason)))

    def _end_operator(self, leg: Leg) -> None:
        call, leg.operator = leg.operator, None
        self.engine.cancel(leg.ring_timer)
        leg.ring_timer = None
        if call is not None and call.isActive():
            call.hangup(pj.CallOpParam(True))

    # ---- audio --------------------------------------------------------------------------------
    def wire(self, key: int) -> None:
        """(Re)connects what the caller hears: announcement, hold tone, or the operator both ways;
        every re-INVITE moves a stream to a new conference slot, so this runs on each media change."""
        leg = self.legs.get(key)
        if leg is None:
            return
        caller = _audio(leg.caller)
        if caller is None:
            return
        operator = leg.operator
        heard = _audio(operator) if operator is not None and operator.answered else None
        if heard is not None:
            if leg.player is not None:
                self._drop_player(leg)
            if self._tone is not None:
                self._tone.stopTransmit(caller)
            leg.on_hold_tone = False
            heard.startTransmit(caller)
            caller.startTransmit(heard)
            leg.bridged = True
            return
        if not leg.on_hold_tone and leg.player is None:
            player = Announcement(self, key)
            player.createPlayer(self.settings.announcement, pj.PJMEDIA_FILE_NO_LOOP)
            leg.player = player
            self.emit(PlaybackStarted(key, Playing.ANNOUNCEMENT))
        if leg.player is not None:
            leg.player.startTransmit(caller)
        elif self._tone is not None:
            self._tone.startTransmit(caller)

    # ---- commands and shutdown ----------------------------------------------------------------
    def hang_up(self, key: int) -> None:
        leg = self.legs.get(key)
        if leg is None:
            return
        self._end_operator(leg)
        if leg.caller.isActive():
            leg.caller.hangup(pj.CallOpParam(True))

    def shutdown(self) -> None:
        for key in list(self.legs):
            self.hang_up(key)
        if self.legs:
            self.engine.handle_events_for(1.0)
        for leg in self.legs.values():
            self._drop_player(leg)
        self.legs.clear()
        if self._tone is not None:
            self._tone.stop()
            self._tone = None
        if self._account is not None:
            self._account.shutdown()
            self._account = None
        self.engine.handle_events_for(0.2)
