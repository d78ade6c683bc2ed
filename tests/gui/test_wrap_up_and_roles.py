"""Issue 18, also seen: « Post-appel » ends after the caller hangs up (its delay, then
« Disponible », as issue 19 sets wrap-up), unless the operator chose another state meanwhile; and
each role's window shows what it uses: the secretary (a practice, not the hotline's phone) has no
« Mon état » and no « Appels » tab, the operator has both. A fake softphone (above the adapter) and
a real server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import QToolBar

from desktop.state.call_flow import OperatorState
from telephony.events import (
    CallDirection,
    CallEnded,
    CallState,
    CallStateChanged,
    EndCause,
    IncomingCall,
)
from tests.support.desktop import operator_account
from tests.support.desktop_phone import FakeSoftphone
from tests.support.dispatch import Desk
from tests.support.gui import close_main_window, open_main_window, run, wait_for
from tests.support.live import PASSWORD, LiveServer

NUMBER = "+33199009009"


def _call(phone: FakeSoftphone, call_id: int) -> None:
    phone.emit(
        IncomingCall(call_id, NUMBER, NUMBER, "", "centrale", f"sip-{call_id}", datetime.now(UTC), False)
    )
    phone.emit(CallStateChanged(call_id, CallState.CONFIRMED, 200, "OK"))


def _hang_up(phone: FakeSoftphone, call_id: int) -> None:
    ended = CallEnded(
        call_id, CallDirection.INCOMING, EndCause.COMPLETED, 200, "BYE", 12.0, datetime.now(UTC)
    )
    phone.emit(ended)


def toolbar_texts(main: object) -> list[str]:
    bars = main.findChildren(QToolBar)  # type: ignore[attr-defined]
    return [action.text() for bar in bars for action in bar.actions()]


def test_post_appel_ends_after_its_delay_unless_the_operator_chose_another_state(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    username, password, _operator = operator_account(gui_server)
    phone = FakeSoftphone()

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, tmp_path, phone)
        qtbot.addWidget(main)
        flow = main.session.flow
        assert flow is not None
        presence = main.session.presence
        assert presence is not None
        settings = await wait_for(lambda: presence.settings, what="the hotline settings")
        assert flow.wrap_up_seconds == settings.wrap_up_seconds  # the server's setting
        flow.wrap_up_seconds = 0.4  # the test does not wait half a minute
        _call(phone, 1)
        assert main.status.operator.currentText() == "En appel"
        _hang_up(phone, 1)  # the caller hangs up
        assert main.status.operator.currentText() == OperatorState.AFTER_CALL.label
        assert main.popup is not None
        assert not main.popup.isVisible()
        await wait_for(
            lambda: main.status.operator.currentText() == "Disponible", timeout=5, what="wrap-up over"
        )
        assert flow.operator_state is OperatorState.AVAILABLE

        _call(phone, 2)
        _hang_up(phone, 2)
        assert OperatorState(flow.operator_state) is OperatorState.AFTER_CALL  # a fresh read
        main.set_operator_state(OperatorState.PAUSE)  # the operator's own choice stands…
        dialog = main.my_state.pause_dialog  # …with its reason, from the platform's list
        assert dialog is not None
        assert dialog.reasons.count() >= 1
        dialog.accept()
        await wait_for(lambda: not main.wrap_up.isActive(), timeout=5, what="the wrap-up timer")
        assert OperatorState(flow.operator_state) is OperatorState.PAUSE  # a fresh read
        assert main.status.operator.currentText().startswith("Pause — ")
        assert "Mon état (Ctrl+E)" in toolbar_texts(main)
        assert main.calls_view is not None
        assert main.status.operator.isVisibleTo(main)
        await close_main_window(main)

    run(loop, scenario(), timeout=40)


def test_the_secretary_has_no_operator_state_nor_calls_tab(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    desk = Desk.open(gui_server)
    secretary, _client = desk.staff("secretary")

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, secretary["username"], PASSWORD, tmp_path)
        qtbot.addWidget(main)
        tabs = [main.tabs.tabText(i) for i in range(main.tabs.count())]
        assert "Appels" not in tabs
        assert main.calls_view is None
        assert "Mon état (Ctrl+E)" not in toolbar_texts(main)
        assert not main.status.operator.isVisibleTo(main)
        assert not main.status.operator_label.isVisibleTo(main)
        assert main.new_case_action.isEnabled()  # what she uses: her cases
        await close_main_window(main)

    try:
        run(loop, scenario(), timeout=40)
    finally:
        desk.close()
