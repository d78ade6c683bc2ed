"""One SIP call: pjsua2 callbacks forwarded to the phone that owns it (pjsua2 thread only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pjsua2 as pj

from telephony.events import CallDirection, CallState, DtmfReceived, MediaState, TransferProgress
from telephony.pjsua2_adapter.engine import never_raises

if TYPE_CHECKING:
    from telephony.pjsua2_adapter.phone import Phone

CALL_STATES = {
    pj.PJSIP_INV_STATE_CALLING: CallState.CALLING,
    pj.PJSIP_INV_STATE_INCOMING: CallState.INCOMING,
    pj.PJSIP_INV_STATE_EARLY: CallState.EARLY,
    pj.PJSIP_INV_STATE_CONNECTING: CallState.CONNECTING,
    pj.PJSIP_INV_STATE_CONFIRMED: CallState.CONFIRMED,
    pj.PJSIP_INV_STATE_DISCONNECTED: CallState.DISCONNECTED,
}
MEDIA_STATES = {
    pj.PJSUA_CALL_MEDIA_NONE: MediaState.NONE,
    pj.PJSUA_CALL_MEDIA_ACTIVE: MediaState.ACTIVE,
    pj.PJSUA_CALL_MEDIA_LOCAL_HOLD: MediaState.LOCAL_HOLD,
    pj.PJSUA_CALL_MEDIA_REMOTE_HOLD: MediaState.REMOTE_HOLD,
    pj.PJSUA_CALL_MEDIA_ERROR: MediaState.ERROR,
}


class PhoneCall(pj.Call):  # type: ignore[misc]  # pjsua2 has no type information
    def __init__(
        self, phone: Phone, account: Any, direction: CallDirection, call_id: int = pj.PJSUA_INVALID_ID
    ) -> None:
        super().__init__(account, call_id)
        self.phone = phone
        self.direction = direction
        self.muted = False
        self.answered = False
        self.rejected = False
        self.transferred = False
        self.tone: Any = None  # diagnostics: test tone source
        self.recorder: Any = None  # diagnostics: WAV of the received audio

    @never_raises
    def onCallState(self, prm: Any) -> None:
        self.phone.call_state_changed(self)

    @never_raises
    def onCallMediaState(self, prm: Any) -> None:
        self.phone.call_media_changed(self)

    @never_raises
    def onDtmfDigit(self, prm: Any) -> None:
        self.phone.emit(DtmfReceived(self.getId(), str(prm.digit)))

    @never_raises
    def onCallTransferRequest(self, prm: Any) -> None:
        """We are asked to call someone else (we are the transferee): accept, with our own Call."""
        prm.newCall = self.phone.transferred_call(self)

    @never_raises
    def onCallTransferStatus(self, prm: Any) -> None:
        final = bool(prm.finalNotify)
        code = int(prm.statusCode)
        self.phone.emit(TransferProgress(self.getId(), code, str(prm.reason), final))
        if final and 200 <= code < 300:
            self.transferred = True
            self.phone.transfer_succeeded(self)
