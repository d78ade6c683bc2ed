"""« Rappeler » with the application's real softphone (pjsua2 in this process): with no SIP server to
route a phone number the softphone refuses, the message says so and the call stays to be returned;
a number the softphone can reach (a second process listening) is dialled, and only then is the
callback taken on the real server (issue 18, item 2)."""

from __future__ import annotations

from pathlib import Path

from desktop.sync.supervision_api import SupervisionApi
from desktop.ui.calls.view import CallsView
from shared.validation import format_phone_national
from tests.support.desktop import operator_account
from tests.support.gui import run, wait_for
from tests.support.kamailio import free_udp_port
from tests.support.live import LiveServer
from tests.support.sip_desktop import event, phone_desk
from tests.support.sip_peers import centrale_phone
from tests.support.supervision_gui import post_call


def test_a_callback_is_taken_only_once_the_real_softphone_placed_the_call(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    username, password, _operator = operator_account(gui_server)
    http = gui_server.client(gui_server.login(username, password))
    missed = post_call(http)  # a phone number: the demo's direct calls have no server to route it
    port = free_udp_port()
    reachable = post_call(http, remote_number=f"sip:rappel@127.0.0.1:{port}")
    callee = centrale_phone(tmp_path, "callee", "listen", "--port", str(port), "--auto-answer")

    def to_call_back() -> set[str]:
        return {c["id"] for c in http.get("/calls", params={"to_call_back": "true"}).json()}

    async def scenario() -> None:
        await event(callee, "Listening")
        async with phone_desk(gui_server.process.base_url, username, password, tmp_path) as desk:
            qtbot.addWidget(desk.main)
            view = CallsView(SupervisionApi(desk.main.session.client), desk.main.session.softphone)
            qtbot.addWidget(view)
            await view.refresh()
            assert {missed["id"], reachable["id"]} <= set(view.buttons)

            view.buttons[missed["id"]].click()  # no SIP server for a phone number
            await wait_for(lambda: view.message.text().startswith("Rappel non passé"), what="the refusal")
            number = format_phone_national(missed["remote_number"])
            assert "Pas de serveur d'appels" in view.message.text()
            assert view.message.text().endswith(
                f"Composez le {number}, puis « Rappelé par un autre moyen » (l'appel reste à rappeler)"
            )
            assert view.buttons[missed["id"]].isEnabled()  # it can be tried again
            assert {missed["id"], reachable["id"]} <= to_call_back()  # nothing taken

            view.buttons[reachable["id"]].click()
            await event(callee, "IncomingCall")  # the call was really placed
            await wait_for(lambda: reachable["id"] not in view.buttons, what="the list read again")
            assert view.message.text() == f"Rappel de sip:rappel@127.0.0.1:{port} en cours…"
            assert missed["id"] in view.buttons
            await event(callee, "CallStateChanged", state="confirmed")
            view.close()

    try:
        run(loop, scenario(), timeout=60)
    finally:
        callee.stop()
    assert missed["id"] in to_call_back()
    assert reachable["id"] not in to_call_back()
    logged = {c["id"]: c for c in http.get("/calls").json()}
    assert logged[reachable["id"]]["callback_note"] == "Rappel passé depuis le poste"
