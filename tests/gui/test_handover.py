"""A shift handover on one workstation (issue 18, item 5): « Changer d'utilisateur » and « Se
déconnecter » through the Controller as ``centrale`` runs it — the real softphone unregisters from a
real Kamailio, the token is revoked on the real server, the login comes back; each user's drafts
and « Mes envois » stay theirs — and the question before the window closes while a call is up or
items wait in the outbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.adapters import Adapters
from desktop.app import pjsua2_softphone
from desktop.settings import SecretStore, Settings
from desktop.state.leaving import Leaving, handover_notice
from desktop.ui.application import Controller, Options
from desktop.ui.main_window import MainWindow
from telephony.events import IncomingCall
from tests.support.desktop import new_patient_wizard, operator_account
from tests.support.desktop_phone import FakeSoftphone
from tests.support.gui import close_main_window, open_main_window, run, wait_for
from tests.support.kamailio import Kamailio
from tests.support.keyrings import MemoryKeyring
from tests.support.live import LiveServer

SIP_PASSWORD = "mot-de-passe-sip"  # throw-away test account


class WindowSystemClose(QCloseEvent):
    """The close event the window system delivers for Alt+F4 or the window's button (spontaneous:
    the offscreen platform has no window manager to send one)."""

    def spontaneous(self) -> bool:
        return True


def _window_of(controller: Controller, username: str) -> MainWindow | None:
    window = controller.window
    if window is None or window.session.user.username != username or not window.isVisible():
        return None
    return window


def _drafts_dialog_shown() -> bool:
    return any(w.objectName() == "drafts" and w.isVisible() for w in QApplication.topLevelWidgets())


def test_a_change_of_user_and_a_logout_keep_each_ones_drafts_and_outbox(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    kamailio = Kamailio(tmp_path / "kamailio", {"operateur": SIP_PASSWORD})
    kamailio.start()
    keyring = MemoryKeyring()
    uri = kamailio.uri("operateur")  # the workstation's SIP account, whoever is logged in
    SecretStore(keyring).set(SecretStore.sip_key(uri), SIP_PASSWORD)
    settings = Settings(sip_uri=uri, sip_registrar=f"sip:{kamailio.domain}", sip_username="operateur")
    first_name, password, first = operator_account(gui_server)
    second_name, _password, _second = operator_account(gui_server)
    options = Options(
        server_url=gui_server.process.base_url,
        username=first_name,
        password=password,
        data_dir=tmp_path / "desk",
        adapters=Adapters(softphone=pjsua2_softphone),
    )
    controller = Controller(options, settings=settings, secrets=SecretStore(keyring))

    async def registered(window: MainWindow) -> None:
        await wait_for(lambda: window.status.sip.text() == "Téléphonie : en service", what="registered")
        assert kamailio.has_location("operateur")

    async def log_in(username: str) -> None:
        dialog = await wait_for(lambda: controller.login_dialog, what="the login again")
        dialog.user.setText(username)
        dialog.password.setText(password)
        await dialog.submit()

    async def scenario(task: asyncio.Future[int]) -> None:
        # the windows of a session that ended are deleted by the application: not given to qtbot
        window = await wait_for(lambda: _window_of(controller, first_name), what="the first user's window")
        await registered(window)
        token = window.session.client.token
        assert keyring.get_password(
            "centrale", SecretStore.token_key(gui_server.process.base_url, first_name)
        )
        await window.send(new_patient_wizard(first))  # a case in « Mes envois »
        await wait_for(lambda: window.success is not None, what="the success dialog")
        window.success.close()
        draft = window.new_case().wizard.draft_id  # and a wizard left open: a draft

        window.session_actions.switch_user.trigger()  # nothing up, nothing waiting: no question
        dialog = await wait_for(lambda: controller.login_dialog, what="the login dialog")
        assert dialog.notice.text() == handover_notice(first.display_name)
        assert dialog.user.text() == ""  # another user comes
        assert not kamailio.has_location("operateur")  # the softphone unregistered
        me = httpx.get(
            f"{gui_server.process.base_url}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
        )
        assert me.status_code == 401  # the token revoked on the server
        assert (
            keyring.get_password("centrale", SecretStore.token_key(gui_server.process.base_url, first_name))
            is None
        )
        assert task.done() is False  # the program goes on

        await log_in(second_name)
        window = await wait_for(lambda: _window_of(controller, second_name), what="the second user's window")
        await registered(window)  # the workstation's phone again, for the next user
        assert window.outbox_list.count() == 0  # the first user's « Mes envois » are not shown
        assert window.session.store.drafts() == []  # nor their drafts
        assert not _drafts_dialog_shown()

        window.session_actions.logout.trigger()
        dialog = await wait_for(lambda: controller.login_dialog, what="the login after the logout")
        assert dialog.user.text() == second_name  # « Se déconnecter »: the same user may come back
        assert not kamailio.has_location("operateur")
        await log_in(first_name)
        window = await wait_for(lambda: _window_of(controller, first_name), what="the first user back")
        qtbot.addWidget(window)
        assert window.outbox_list.count() == 1  # their case
        assert [d["draft_id"] for d in window.session.store.drafts()] == [draft]
        await wait_for(_drafts_dialog_shown, what="their draft offered")
        window.close()
        assert await asyncio.wait_for(task, 20) == 0
        assert not kamailio.has_location("operateur")

    async def running() -> None:
        task = asyncio.ensure_future(controller.run())
        try:
            await scenario(task)
        finally:
            if not task.done():
                if controller.login_dialog is not None:
                    controller.login_dialog.reject()
                if controller.window is not None:
                    controller.window.close()
                try:
                    await asyncio.wait_for(asyncio.shield(task), 20)
                except Exception:
                    task.cancel()
                    await controller.stop()

    try:
        run(loop, running(), timeout=90)
    finally:
        kamailio.stop()


def test_closing_asks_first_when_a_call_is_up_or_items_wait_in_the_outbox(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    username, password, _operator = operator_account(gui_server)
    phone = FakeSoftphone()

    async def scenario() -> None:
        window = await open_main_window(gui_server.process.base_url, username, password, tmp_path, phone)
        qtbot.addWidget(window)
        session = window.session
        actions = window.session_actions
        phone.emit(
            IncomingCall(1, "+33199001234", "+33199001234", "", "centrale", "sip-1", datetime.now(UTC), False)
        )
        window.closeEvent(WindowSystemClose())  # the window's button or Alt+F4: a call is ringing
        box = actions.question
        assert isinstance(box, QMessageBox)
        assert box.windowTitle() == "Quitter Centrale ?"
        assert box.text() == "Un appel est en cours : il sera coupé."
        assert box.defaultButton().text() == "Rester"
        box.defaultButton().click()  # « Rester »
        await wait_for(lambda: actions.question is None, what="the answer")
        assert window.isVisible()
        assert actions.leaving is None
        refused = WindowSystemClose()
        window.closeEvent(refused)  # asked again
        assert not refused.isAccepted()
        assert actions.question is not None
        actions.question.reject()  # Échap: « Rester »
        await wait_for(lambda: actions.question is None, what="the second answer")

        # an item waiting for its next try (as after the server was out of reach)
        waiting = session.store.outbox.enqueue_call_record({"id": "record-1", "outcome": "missed"})
        session.store.outbox.retry_later(
            waiting.id, "Pas de connexion serveur", datetime.now(UTC) + timedelta(hours=1)
        )
        actions.logout.trigger()
        box = actions.question
        assert isinstance(box, QMessageBox)
        assert box.windowTitle() == "Se déconnecter ?"
        assert box.text() == (
            "Un appel est en cours : il sera coupé.\n"
            "Un envoi attend le serveur : il partira à votre prochaine connexion sur ce poste."
        )
        [leave] = [b for b in box.buttons() if b.text() == "Se déconnecter quand même"]
        leave.click()
        await wait_for(lambda: not window.isVisible(), what="the window closed")
        assert actions.leaving is Leaving.LOGOUT
        await close_main_window(window)

    run(loop, scenario(), timeout=30)
