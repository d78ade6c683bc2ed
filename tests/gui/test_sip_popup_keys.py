"""The call popup's keyboard paths above the softphone (a fake one records the commands; the real
SIP paths are in test_sip_calls.py): choosing a call in the list, DTMF typed anywhere in the popup
but the transfer field, F9 with an empty or invalid destination, a reused call id."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from telephony.events import (
    CallDirection,
    CallEnded,
    CallMediaChanged,
    CallState,
    CallStateChanged,
    EndCause,
    IncomingCall,
    MediaState,
)
from tests.support.desktop import operator_account
from tests.support.desktop_phone import FakeSoftphone
from tests.support.gui import activate, close_main_window, open_main_window, press, run, type_text, wait_for
from tests.support.live import LiveServer

NOW = datetime.now(UTC)


def _ring(phone: FakeSoftphone, call_id: int, number: str) -> None:
    phone.emit(IncomingCall(call_id, number, number, "", "op", f"sip-{call_id}", NOW, False))


def _connected(phone: FakeSoftphone, call_id: int) -> None:
    phone.emit(CallStateChanged(call_id, CallState.CONFIRMED, 200, "OK"))


def test_keys_of_the_popup_with_two_calls(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    username, password, _operator = operator_account(gui_server)
    phone = FakeSoftphone()

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path, phone)
        qtbot.addWidget(main)
        popup = main.popup
        assert popup is not None
        _ring(phone, 0, "+33199001111")
        _connected(phone, 0)
        _ring(phone, 1, "+33199002222")
        _connected(phone, 1)
        phone.emit(CallMediaChanged(0, MediaState.LOCAL_HOLD, False))  # 0 held, 1 in progress
        assert popup.number.text() == "01 99 00 22 22"
        assert popup.calls.isVisible()

        # arrows then Entrée in the list: the keys now act on the held call; F2 takes it back
        await activate(popup)
        popup.calls.setFocus()
        popup.calls.setCurrentRow(1)
        await press(popup, Qt.Key.Key_Up)
        await press(popup, Qt.Key.Key_Return)
        assert popup.number.text() == "01 99 00 11 11"
        assert popup.phase.text() == "En attente"
        await press(popup, Qt.Key.Key_F2)
        await wait_for(lambda: ("unhold", 0) in phone.commands, what="unhold")
        assert phone.commands[-2:] == [("hold", 1), ("unhold", 0)]  # the other one held first
        phone.emit(CallMediaChanged(1, MediaState.LOCAL_HOLD, False))
        phone.emit(CallMediaChanged(0, MediaState.ACTIVE, False))
        assert popup.phase.text() == "En communication"

        # digits typed in the list of calls are DTMF, not a search; in the transfer field, text
        popup.calls.setFocus()
        await type_text(popup, "9#")
        await wait_for(lambda: ("send_dtmf", 0, "#") in phone.commands, what="DTMF")
        dtmf = [c for c in phone.commands if c[0] == "send_dtmf"]
        assert dtmf == [("send_dtmf", 0, "9"), ("send_dtmf", 0, "#")]
        assert popup.pad.sent.text() == "Envoyé : 9#"
        box = popup.transfer_box
        box.destination.setFocus()
        await press(popup, Qt.Key.Key_F9)  # empty: the message, the focus stays in the field
        assert box.error.text().startswith("Indiquez le destinataire du transfert")
        await type_text(popup, "12")
        assert box.destination.text() == "12"
        assert box.error.text() == ""  # cleared as soon as it is edited
        assert len([c for c in phone.commands if c[0] == "send_dtmf"]) == 2
        QTest.keyClick(box.destination, Qt.Key.Key_Return)  # Entrée transfers too
        await wait_for(lambda: ("transfer", 0, "12") in phone.commands, what="the transfer")

        # the calls end; pjsua2 reuses id 0 for the next call: nothing of the old one shows
        for call_id in (0, 1):
            phone.emit(CallEnded(call_id, CallDirection.INCOMING, EndCause.COMPLETED, 200, "OK", 5.0, NOW))
        assert not popup.isVisible()
        _ring(phone, 0, "+33199003333")
        _connected(phone, 0)
        assert popup.number.text() == "01 99 00 33 33"
        assert popup.pad.sent.text() == ""
        assert not popup.calls.isVisible()
        await close_main_window(main)

    run(loop, scenario(), timeout=40)
