"""Issue 19 on the desktop against a real server: « Mon état » leaves the desktop (each change read
back from `GET /agents`), the pause asks its reason from the platform's list, « Post-appel » offers
the call's qualification (stored on the call record) and « Prêt », closing the window sends
« Hors ligne »; the supervisor's « Opérateurs » grid follows the states live; the admin edits the
settings in « Téléphonie ». A fake softphone above the adapter; the server and its feed are real."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from shared.schemas.hotline import AgentState
from telephony.events import CallDirection, CallEnded, CallState, CallStateChanged, EndCause, IncomingCall
from tests.support.desktop_phone import FakeSoftphone
from tests.support.dispatch import Desk
from tests.support.gui import close_main_window, open_main_window, press, run, wait_for
from tests.support.live import ADMIN_PASSWORD, ADMIN_USERNAME, PASSWORD, LiveServer

NUMBER = "+33199009019"


def state_of(desk: Desk, supervisor: Any, user_id: int) -> dict[str, Any]:
    response = supervisor.get("/agents")
    assert response.status_code == 200, response.text
    return next((a for a in response.json() if a["user_id"] == user_id), {"state": "?"})


def test_mon_etat_reaches_the_server_with_pause_reason_call_and_qualification(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    desk = Desk.open(gui_server)
    operator, _op_client = desk.staff("operator")
    _supervisor, watcher = desk.staff("supervisor")
    phone = FakeSoftphone()

    async def scenario() -> None:
        main = await open_main_window(
            gui_server.process.base_url, operator["username"], PASSWORD, tmp_path, phone
        )
        qtbot.addWidget(main)
        presence = main.session.presence
        assert presence is not None
        settings = await wait_for(lambda: presence.settings, what="the hotline settings")
        flow = main.session.flow
        assert flow is not None
        assert flow.wrap_up_seconds == settings.wrap_up_seconds  # the server's delay
        await wait_for(
            lambda: state_of(desk, watcher, operator["id"])["state"] == "available", what="Disponible"
        )

        main.set_operator_state(AgentState.PAUSE)  # « Mon état » → Pause: the reason is asked
        dialog = main.my_state.pause_dialog
        assert dialog is not None
        labels = [dialog.reasons.item(i).text() for i in range(dialog.reasons.count())]
        assert "Repas" in labels
        assert "Appels non répondus" not in labels  # the server's own, never chosen
        dialog.reasons.setCurrentRow(labels.index("Repas"))
        await press(dialog.reasons, Qt.Key.Key_Return)
        await wait_for(lambda: state_of(desk, watcher, operator["id"])["state"] == "pause", what="Pause")
        assert state_of(desk, watcher, operator["id"])["pause_reason"] == "repas"
        assert main.status.operator.currentText() == "Pause — Repas"

        main.set_operator_state(AgentState.AVAILABLE)
        phone.emit(IncomingCall(1, NUMBER, NUMBER, "", "hotline", "sip-hotline-1", datetime.now(UTC), False))
        phone.emit(CallStateChanged(1, CallState.CONFIRMED, 200, "OK"))
        await wait_for(lambda: state_of(desk, watcher, operator["id"])["state"] == "in_call", what="En appel")
        assert NUMBER in state_of(desk, watcher, operator["id"])["caller"]
        ended = CallEnded(1, CallDirection.INCOMING, EndCause.COMPLETED, 200, "BYE", 20.0, datetime.now(UTC))
        phone.emit(ended)
        await wait_for(
            lambda: state_of(desk, watcher, operator["id"])["state"] == "after_call", what="Post-appel"
        )
        window = main.my_state.wrap_up_window
        assert window is not None  # opened without taking the focus
        assert window.isVisible()
        codes = [window.codes.item(i).text() for i in range(window.codes.count())]
        window.codes.setCurrentRow(codes.index("Renseignement"))
        window.ready_button.click()  # « Prêt »: the qualification recorded, Post-appel over
        assert main.session.flow is not None
        record_id = main.session.flow.finished[-1].record_id
        await wait_for(lambda: state_of(desk, watcher, operator["id"])["state"] == "available", what="Prêt")

        def qualified() -> bool:
            calls = watcher.get("/calls", params={"limit": 50}).json()
            return any(c["id"] == record_id and c.get("qualification") == "renseignement" for c in calls)

        await wait_for(qualified, timeout=20, what="the qualification on the call record")
        assert main.my_state.wrap_up_window is None
        await close_main_window(main)  # leaving: « Hors ligne » before anything stops
        assert state_of(desk, watcher, operator["id"])["state"] == "offline"

    try:
        run(loop, scenario(), timeout=60)
    finally:
        desk.close()


def test_the_supervisor_s_grid_follows_the_operators_live(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    desk = Desk.open(gui_server)
    supervisor, _client = desk.staff("supervisor")
    operator, op_client = desk.staff("operator")

    def put(state: str, **extra: Any) -> None:
        response = op_client.put("/agents/me/state", json={"state": state, **extra})
        assert response.status_code == 200, response.text

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, supervisor["username"], PASSWORD, tmp_path)
        qtbot.addWidget(main)
        assert main.supervision is not None
        view = main.supervision.operators
        assert view is not None
        assert "Opérateurs" in [main.tabs.tabText(i) for i in range(main.tabs.count())]
        await wait_for(lambda: view.board.queue is not None, what="the first read")
        assert view.queue_line.text().startswith("File d'attente : ")
        put("available")

        def row() -> list[str]:
            return next((r for r in view.row_texts() if r[0] == operator["display_name"]), [])

        # no desktop of this operator follows the feed: the grid says so beside the state
        await wait_for(lambda: row()[1:2] == ["Disponible (poste déconnecté)"], what="Disponible on the grid")
        put("pause", pause_reason="formation")
        await wait_for(lambda: row()[1:2] == ["Pause (poste déconnecté)"], what="Pause on the grid")
        assert row()[3] == "Formation"
        assert ":" in row()[2]  # « 14:32:05 (3 s) », Paris time
        await close_main_window(main)

    try:
        run(loop, scenario(), timeout=60)
    finally:
        desk.close()


def test_the_admin_edits_the_hotline_settings(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    desk = Desk.open(gui_server)

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, ADMIN_USERNAME, ADMIN_PASSWORD, tmp_path)
        qtbot.addWidget(main)
        assert main.back_office is not None
        view = main.back_office.telephony
        await wait_for(lambda: view.lists["qualifications"].toPlainText(), what="the settings read")
        before = view.numbers["wrap_up_seconds"].value()
        view.numbers["wrap_up_seconds"].setValue(before + 5)
        view.lists["qualifications"].setPlainText(
            view.lists["qualifications"].toPlainText() + "\nfausse ligne"
        )
        await view.save()
        assert view.messages["qualifications"].text().startswith("Ligne ")
        assert desk.admin.get("/hotline/settings").json()["wrap_up_seconds"] == before  # nothing sent
        text = view.lists["qualifications"].toPlainText().replace("\nfausse ligne", "\ntest_gui = Essai")
        view.lists["qualifications"].setPlainText(text)
        await view.save()
        assert view.status.text().startswith("Réglages de téléphonie enregistrés")
        saved = desk.admin.get("/hotline/settings").json()
        assert saved["wrap_up_seconds"] == before + 5
        assert {"code": "test_gui", "label": "Essai"} in saved["qualifications"]
        view.numbers["wrap_up_seconds"].setValue(before)  # the shared server's settings as they were
        view.lists["qualifications"].setPlainText(text.replace("\ntest_gui = Essai", ""))
        await view.save()
        await close_main_window(main)

    try:
        run(loop, scenario(), timeout=60)
    finally:
        desk.close()
