"""Real SIP calls into the desktop: the application's pjsua2 softphone in this process, callers in
second processes (``telephony.cli``), the real central server identifying the caller."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.state.call_flow import CallPhase
from desktop.state.wizard.wizard import EntryPoint, Step
from desktop.sync.client import ApiClient
from desktop.ui.wizard.success_dialog import SuccessDialog
from shared.schemas.calls import CallRecordOut
from telephony.events import EndCause
from tests.support.desktop import operator_account
from tests.support.gui import activate, press, run, wait_for
from tests.support.kamailio import free_udp_port
from tests.support.live import LiveServer, unique_name, unique_phone
from tests.support.sip_desktop import event, fill_new_patient_case, phone_desk
from tests.support.sip_peers import centrale_phone


def test_a_real_call_pops_up_the_professional_and_the_case_made_during_it_is_linked(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    username, password, _operator = operator_account(gui_server)
    number = unique_phone()
    professional, _client = gui_server.professional(phone=number, last_name=unique_name("APPELANT"))

    async def scenario() -> None:
        async with phone_desk(gui_server.process.base_url, username, password, tmp_path) as desk:
            main, popup = desk.main, desk.main.popup
            assert popup is not None
            qtbot.addWidget(main)
            assert main.status.sip.text() == "Téléphonie : démonstration, appels simulés sur ce poste"
            assert "127.0.0.1" not in main.status.sip.text()  # no address on screen (issue 18)
            caller = desk.caller("pro", number, duration=30)
            try:
                await wait_for(lambda: popup.isVisible(), timeout=20, what="the popup")
                assert popup.number.text() == number  # « 01 99 00 … » at once
                # the caller's INVITE time, on the clock both processes share (bench.popup_latency)
                started = await event(caller, "OutgoingCallStarted")
                assert 0 < started["sent_monotonic"] < time.monotonic()
                await wait_for(
                    lambda: professional["last_name"] in popup.identity.text(), what="the identified caller"
                )
                await press(main, Qt.Key.Key_F2)  # Décrocher
                await event(caller, "CallStateChanged", state="confirmed")
                await wait_for(lambda: popup.phase.text() == "En communication", what="in call")
                assert main.status.operator.currentText() == "En appel"

                await press(main, Qt.Key.Key_F8)  # Nouveau déclenchement from the call
                window = await wait_for(lambda: next(iter(main.wizards.values()), None), what="the wizard")
                wizard = window.wizard
                assert wizard.entry is EntryPoint.CALL
                assert window.pages[Step.CALLER].form.widgets["call_phone"].text() == number  # Tél appel
                assert professional["last_name"] in wizard.caller.caller_name
                assert wizard.caller.caller_rpps == professional["rpps"]
                flow = main.session.flow
                assert flow is not None
                [view] = flow.calls.values()
                assert wizard.call_record_id == view.record_id

                fill_new_patient_case(wizard)
                dialogs: list[SuccessDialog] = []
                main.success_shown.connect(dialogs.append)
                await main.send(wizard)  # « Déclencher » during the call
                [dialog] = dialogs
                [item] = main.session.store.outbox.items()
                assert item.result is not None
                case_number = item.result["number"]
                assert dialog.windowTitle().endswith(str(case_number))  # « Déclenchement réussi — fiche #N »
                dialog.close()
                dialog.deleteLater()
                assert view.case_numbers == [case_number]

                # Raccrocher from the main window, even with a combo box focused (F4 is its own key)
                await activate(main)
                main.status.operator.setFocus()
                assert main.focusWidget() is main.status.operator
                await press(main, Qt.Key.Key_F4)
                await event(caller, "CallEnded", cause="completed")
                await wait_for(lambda: not popup.isVisible(), what="the popup closed")
                assert main.status.operator.currentText() == "Post-appel"
                record = await _record(main.session.client, view.record_id)
                assert record.case_numbers == [case_number]
                assert (record.outcome, record.identification) == ("completed", "identified")
                assert record.remote_number == "+33" + number.replace(" ", "")[1:]
            finally:
                caller.stop()

    run(loop, scenario(), timeout=90)


async def _record(client: ApiClient, record_id: str | None) -> CallRecordOut:
    """The call record on the server (``/api/v1/calls``), once the call log sent it."""
    for _ in range(250):
        found = [r for r in await client.calls() if r.id == record_id]
        if found:
            return found[0]
        await asyncio.sleep(0.04)
    raise AssertionError(f"call record {record_id} never reached the server")


def test_a_second_call_while_in_a_call_is_shown_and_answering_it_holds_the_first(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    username, password, _operator = operator_account(gui_server)
    first_number, second_number = unique_phone(), unique_phone()
    second_pro, _c = gui_server.professional(phone=second_number, last_name=unique_name("SECOND"))

    async def scenario() -> None:
        async with phone_desk(gui_server.process.base_url, username, password, tmp_path) as desk:
            main, popup = desk.main, desk.main.popup
            assert popup is not None
            qtbot.addWidget(main)
            first = desk.caller("first", first_number, duration=30)
            second = None
            try:
                await wait_for(lambda: popup.isVisible(), timeout=20, what="the first call")
                await press(main, Qt.Key.Key_F2)
                await event(first, "CallStateChanged", state="confirmed")
                await wait_for(lambda: popup.phase.text() == "En communication", what="in call")

                second = desk.caller("second", second_number, duration=30)
                await wait_for(lambda: popup.calls.count() == 2, timeout=20, what="both calls listed")
                assert popup.calls.isVisible()
                assert popup.phase.text() == "Appel entrant — double appel"  # the new one in front
                assert popup.number.text() == second_number
                await wait_for(
                    lambda: second_pro["last_name"] in popup.identity.text(), what="the second caller"
                )
                lines = [popup.calls.item(i).text() for i in range(2)]
                assert lines[0].startswith("En communication : " + first_number)
                assert lines[1].startswith("▶ Appel entrant — double appel : " + second_number)

                await press(main, Qt.Key.Key_F2)  # answer the second: the first goes on hold
                flow = main.session.flow
                assert flow is not None
                await wait_for(
                    lambda: len(flow.held()) == 1 and flow.active() is not None, what="hold + answer"
                )
                held, active = flow.held()[0], flow.active()
                assert held.number.endswith(first_number.replace(" ", "")[1:])
                assert active is not None
                assert active.number.endswith(second_number.replace(" ", "")[1:])
                await event(second, "CallStateChanged", state="confirmed")
                await event(first, "CallMediaChanged", media="remote_hold")  # the first caller hears it
                assert popup.phase.text().startswith("En communication")
                assert popup.number.text() == second_number
                assert any(popup.calls.item(i).text().startswith("En attente : ") for i in range(2))

                # the second caller hangs up: the held call stays in the popup and F2 takes it back
                second.stop()
                await wait_for(lambda: len(flow.calls) == 1, what="the second call gone")
                assert popup.isVisible()
                assert popup.phase.text() == "En attente"
                assert popup.buttons["answer"].isEnabled()
                await press(main, Qt.Key.Key_F2)
                await wait_for(lambda: flow.active() is not None, what="the first call back")
                await event(first, "CallMediaChanged", media="active", timeout=10)
                await press(popup, Qt.Key.Key_F4)
                await event(first, "CallEnded")
            finally:
                first.stop()
                if second is not None:
                    second.stop()

    run(loop, scenario(), timeout=90)


def test_a_second_call_can_be_rejected_while_in_a_call(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    username, password, _operator = operator_account(gui_server)
    numbers = (unique_phone(), unique_phone())

    async def scenario() -> None:
        async with phone_desk(gui_server.process.base_url, username, password, tmp_path) as desk:
            main, popup = desk.main, desk.main.popup
            assert popup is not None
            qtbot.addWidget(main)
            callers = {n: desk.caller(f"caller{i}", n, duration=30) for i, n in enumerate(numbers)}
            try:
                await wait_for(lambda: popup.calls.count() == 2, timeout=20, what="two ringing calls")
                answered = popup.number.text()
                await press(main, Qt.Key.Key_F2)  # the ringing call in front
                await event(callers[answered], "CallStateChanged", state="confirmed")
                [other] = [n for n in numbers if n != answered]
                await wait_for(lambda: popup.number.text() == other, what="the other call in front")
                assert popup.phase.text().startswith("Appel entrant")
                await press(main, Qt.Key.Key_F3)  # Refuser
                ended = await event(callers[other], "CallEnded")
                assert (ended["cause"], ended["code"]) == ("unanswered", 486)  # Busy Here, for the caller
                await wait_for(
                    lambda: popup.calls.count() == 1 and not popup.calls.isVisible(), what="one call left"
                )
                assert popup.phase.text() == "En communication"
                assert popup.number.text() == answered
                assert callers[answered].find("CallEnded") == []  # the first call goes on
            finally:
                for caller in callers.values():
                    caller.stop()

    run(loop, scenario(), timeout=90)


def test_dtmf_from_the_pad_and_the_keyboard_reaches_the_caller_then_a_blind_transfer(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    username, password, _operator = operator_account(gui_server)
    port = free_udp_port()
    third = centrale_phone(tmp_path, "third", "listen", "--port", str(port), "--auto-answer")

    async def scenario() -> None:
        await event(third, "Listening")
        async with phone_desk(gui_server.process.base_url, username, password, tmp_path) as desk:
            main, popup = desk.main, desk.main.popup
            assert popup is not None
            qtbot.addWidget(main)
            number = unique_phone()
            caller = desk.caller("caller", number, duration=30)
            try:
                await wait_for(lambda: popup.isVisible(), timeout=20, what="the popup")
                assert not popup.pad.isEnabled()  # ringing: no DTMF yet
                await press(main, Qt.Key.Key_F2)
                await event(caller, "CallStateChanged", state="confirmed")
                await wait_for(lambda: popup.pad.isEnabled(), what="the pad")
                await asyncio.sleep(0.3)  # the caller's media is up
                popup.pad.buttons["4"].click()
                popup.pad.buttons["#"].click()
                popup.activateWindow()
                QTest.keyClick(popup, Qt.Key.Key_7)  # typed while the popup has the focus
                QTest.keyClick(popup, Qt.Key.Key_Asterisk, Qt.KeyboardModifier.NoModifier)
                await asyncio.sleep(0)
                assert popup.pad.sent.text() == "Envoyé : 4#7*"
                for digit in "4#7*":
                    await event(caller, "DtmfReceived", digit=digit)
                assert [e["digit"] for e in caller.find("DtmfReceived")] == list("4#7*")

                # a destination that cannot be dialled: a French message, nothing sent
                box = popup.transfer_box
                box.destination.setText("Mme Martin")
                await press(main, Qt.Key.Key_F9)
                assert box.error.text().startswith("Destinataire invalide")
                assert box.button.text() == "Transférer (F9)"
                box.destination.setText(f"sip:tiers@127.0.0.1:{port}")
                await press(main, Qt.Key.Key_F9)
                assert box.error.text() == ""
                reached = await event(third, "IncomingCall")
                assert reached["caller"] == "+33" + number.replace(" ", "")[1:]
                await event(third, "CallStateChanged", state="confirmed")
                await wait_for(lambda: not popup.isVisible(), what="the transferred call gone")
                flow = main.session.flow
                assert flow is not None
                assert flow.finished[-1].end_cause is EndCause.TRANSFERRED
                assert flow.finished[-1].phase is CallPhase.ENDED
            finally:
                caller.stop()

    try:
        run(loop, scenario(), timeout=90)
    finally:
        third.stop()
