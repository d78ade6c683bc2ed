"""The application's own softphone, through the Controller as ``centrale`` runs it: registered with
the settings' SIP account (real Kamailio), « retrying » when the registrar is down, no phone without
an account, and the demo's « Simuler un appel entrant » (a real call from a second process)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.adapters import Adapters
from desktop.app import pjsua2_softphone
from desktop.demo.calls import DemoCalls, demo_professional_phone, pick_caller
from desktop.services.softphone import NOT_CONFIGURED
from desktop.settings import SecretStore, Settings
from desktop.ui.application import Controller, Options
from desktop.ui.phone_binding import SIMULATE_LABEL
from telephony.api import PhoneError
from telephony.config import PhoneConfig
from telephony.pjsua2_adapter import Pjsua2Softphone
from tests.support.desktop import operator_account
from tests.support.gui import activate, press, run, wait_for
from tests.support.kamailio import Kamailio, free_udp_port
from tests.support.keyrings import MemoryKeyring
from tests.support.live import LiveServer, unique_name

SIP_PASSWORD = "mot-de-passe-sip"  # throw-away test account
SEED = 20261127


def _controller(live: LiveServer, tmp_path: Path, settings: Settings, keyring: MemoryKeyring) -> Controller:
    username, password, _operator = operator_account(live)
    options = Options(
        server_url=live.process.base_url,
        username=username,
        password=password,
        data_dir=tmp_path / "desk",
        adapters=Adapters(softphone=pjsua2_softphone),  # the real softphone, no card reader
    )
    return Controller(options, settings=settings, secrets=SecretStore(keyring))


async def _running(controller: Controller, body: Callable[[asyncio.Future[int]], Awaitable[None]]) -> None:
    """Runs ``controller`` with ``body``; whatever happens, its softphone is stopped at the end (a
    softphone left running would make the next test's Endpoint fail)."""
    task = asyncio.ensure_future(controller.run())
    try:
        await body(task)
    finally:
        if not task.done():
            if controller.window is not None:
                controller.window.close()
            try:
                await asyncio.wait_for(asyncio.shield(task), 20)
            except Exception:
                task.cancel()
                await controller.stop()


async def _until_closed(controller: Controller, task: asyncio.Future[int]) -> int:
    assert controller.window is not None
    controller.window.close()
    return await asyncio.wait_for(task, 20)


def test_the_settings_account_is_registered_then_unregistered_on_exit(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    kamailio = Kamailio(tmp_path / "kamailio", {"operateur": SIP_PASSWORD})
    kamailio.start()
    keyring = MemoryKeyring()
    uri = kamailio.uri("operateur")
    SecretStore(keyring).set(SecretStore.sip_key(uri), SIP_PASSWORD)
    settings = Settings(sip_uri=uri, sip_registrar=f"sip:{kamailio.domain}", sip_username="operateur")
    controller = _controller(gui_server, tmp_path, settings, keyring)

    async def scenario(task: asyncio.Future[int]) -> None:
        window = await wait_for(lambda: controller.window, what="the main window")
        qtbot.addWidget(window)
        await wait_for(lambda: window.status.sip.text() == "Téléphonie : en service", what="registered")
        assert kamailio.has_location("operateur")
        assert window.popup is not None  # calls are handled
        assert await _until_closed(controller, task) == 0
        assert not kamailio.has_location("operateur")  # the softphone unregistered on exit

    try:
        run(loop, _running(controller, scenario), timeout=60)
    finally:
        kamailio.stop()


def test_a_registrar_down_shows_the_retrying_state_and_no_account_no_phone(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    down = Settings(sip_uri=f"sip:operateur@127.0.0.1:{free_udp_port()}")  # nothing listens there
    controller = _controller(gui_server, tmp_path, down, MemoryKeyring())

    async def scenario(task: asyncio.Future[int]) -> None:
        window = await wait_for(lambda: controller.window, what="the main window")
        qtbot.addWidget(window)
        # the registration watchdog reports « retrying » after 3 s without an answer
        await wait_for(lambda: window.status.sip.text() == "Téléphonie : nouvel essai…", what="retrying")
        tooltip = window.status.sip.toolTip()
        assert tooltip == "Téléphone hors service : serveur d'appels injoignable, nouvel essai en cours"
        assert await _until_closed(controller, task) == 0
        await _running(unconfigured, without_account)

    unconfigured = _controller(gui_server, tmp_path / "2", Settings(), MemoryKeyring())

    async def without_account(task: asyncio.Future[int]) -> None:
        window = await wait_for(lambda: unconfigured.window, what="the second main window")
        qtbot.addWidget(window)
        assert window.status.sip.text() == NOT_CONFIGURED == "Téléphonie : aucun compte SIP dans les réglages"
        assert window.popup is None  # the desktop works without phone
        assert unconfigured.session is not None
        assert unconfigured.session.softphone is None
        assert await _until_closed(unconfigured, task) == 0

    run(loop, _running(controller, scenario), timeout=60)


def test_the_demo_simulates_an_incoming_call_from_a_demo_professional(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    # the session server stands in for the demo server (13 s to seed): the professional the demo
    # caller will present is registered there with the demo number (the numbers are the demo
    # server's, tests/unit/desktop/test_demo_call.py)
    expected = pick_caller(random.Random(SEED))
    last_name = unique_name("DEMO")
    gui_server.professional(phone=expected.number, last_name=last_name)
    demo_calls = DemoCalls(log_dir=tmp_path / "appels", rng=random.Random(SEED))
    username, password, _operator = operator_account(gui_server)
    options = Options(
        server_url=gui_server.process.base_url,
        username=username,
        password=password,
        data_dir=tmp_path / "desk",
        demo_calls=demo_calls,
        adapters=Adapters(softphone=pjsua2_softphone),
    )
    controller = Controller(options, settings=Settings(), secrets=SecretStore(MemoryKeyring()))

    async def scenario(task: asyncio.Future[int]) -> None:
        window = await wait_for(lambda: controller.window, what="the main window")
        qtbot.addWidget(window)
        demo_status = "Téléphonie : démonstration, appels simulés sur ce poste"  # the users' words
        await wait_for(lambda: window.status.sip.text() == demo_status, what="the demo phone")
        binding = controller.phone
        assert binding is not None
        assert binding.demo_action is not None
        assert binding.demo_action.text() == SIMULATE_LABEL == "Simuler un appel entrant (Ctrl+Maj+A)"
        assert binding.demo_action.isEnabled()
        await activate(window)
        ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        await press(window, Qt.Key.Key_A, ctrl_shift)  # « Simuler un appel entrant »
        [caller] = demo_calls.running()
        popup = window.popup
        assert popup is not None
        await wait_for(lambda: popup.isVisible(), timeout=20, what="the popup")
        assert popup.number.text() == demo_professional_phone(int(expected.number[-2:]))
        flow = window.session.flow
        assert flow is not None
        [view] = flow.calls.values()
        await wait_for(lambda: view.identification is not None and view.candidates, what="the lookup")
        assert last_name in [c.display_name.split(" ")[0] for c in view.candidates]
        assert last_name in popup.identity.text() or len(view.candidates) > 1
        assert await _until_closed(controller, task) == 0
        assert caller.returncode is not None  # the caller process was killed with the desktop
        assert demo_calls.running() == []

    try:
        run(loop, _running(controller, scenario), timeout=90)
    finally:
        demo_calls.stop_all()


def test_a_second_softphone_in_the_process_is_refused_not_an_abort():
    """pjsua2 aborts the process on a second Endpoint; the adapter refuses it in French instead,
    and accepts a new one once the first is destroyed (how the GUI tests run one after another)."""

    async def scenario() -> None:
        first = Pjsua2Softphone(PhoneConfig(port=0, null_audio=True))
        await first.start()
        try:
            second = Pjsua2Softphone(PhoneConfig(port=0, null_audio=True))
            with pytest.raises(PhoneError, match="un autre téléphone SIP est déjà démarré dans ce programme"):
                await second.start()
        finally:
            await first.stop()
        third = Pjsua2Softphone(PhoneConfig(port=0, null_audio=True))
        await third.start()
        assert third.local_port > 0
        await third.stop()

    asyncio.run(scenario())


def test_without_a_secure_keyring_the_sip_password_is_asked_for_the_session(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    from keyring.backends.fail import Keyring as NoKeyring
    from PySide6.QtWidgets import QApplication, QInputDialog

    kamailio = Kamailio(tmp_path / "kamailio", {"operateur": SIP_PASSWORD})
    kamailio.start()
    uri = kamailio.uri("operateur")
    settings = Settings(sip_uri=uri, sip_registrar=f"sip:{kamailio.domain}", sip_username="operateur")
    username, password, _operator = operator_account(gui_server)
    options = Options(
        server_url=gui_server.process.base_url, username=username, password=password,
        data_dir=tmp_path / "desk", adapters=Adapters(softphone=pjsua2_softphone),
    )  # fmt: skip
    controller = Controller(options, settings=settings, secrets=SecretStore(NoKeyring()))  # type: ignore[no-untyped-call]

    def prompt() -> QInputDialog | None:
        found = [w for w in QApplication.topLevelWidgets() if w.objectName() == "sip_password_prompt"]
        return next((w for w in found if isinstance(w, QInputDialog) and w.isVisible()), None)

    async def scenario(task: asyncio.Future[int]) -> None:
        dialog = await wait_for(prompt, what="the SIP password prompt")
        assert "trousseau" in dialog.labelText()
        assert uri in dialog.labelText()
        dialog.setTextValue(SIP_PASSWORD)
        dialog.accept()
        window = await wait_for(lambda: controller.window, what="the main window")
        qtbot.addWidget(window)
        await wait_for(lambda: window.status.sip.text() == "Téléphonie : en service", what="registered")
        assert kamailio.has_location("operateur")
        assert await _until_closed(controller, task) == 0

    try:
        run(loop, _running(controller, scenario), timeout=60)
    finally:
        kamailio.stop()
