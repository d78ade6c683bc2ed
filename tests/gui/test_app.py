"""`centrale`: the version, and the application's path from login to a closed main window."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from cardreader.fake import FAKE_READER
from desktop.app import fake_adapters
from desktop.settings import SecretStore
from desktop.ui.application import Controller, Options
from tests.support.desktop import operator_account
from tests.support.gui import run, wait_for
from tests.support.keyrings import MemoryKeyring
from tests.support.live import LiveServer

CHECK_VERSION = """
import sys
from desktop.app import main
try:
    main(["--version"])
except SystemExit as exit:
    print("qt" if "PySide6" in sys.modules else "no-qt", exit.code)
"""


def test_version_without_qt():
    done = subprocess.run(
        [sys.executable, "-c", CHECK_VERSION],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["centrale 0.1.0", "no-qt 0"]  # instant: Qt is not even imported


def test_login_then_main_window_until_it_closes(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    username, password, _operator = operator_account(gui_server)
    keyring = MemoryKeyring()
    url = gui_server.process.base_url
    options = Options(
        server_url=url, username=username, password=password, data_dir=tmp_path / "desk",
        adapters=fake_adapters(),  # built by the controller: a fake softphone (no SIP account), a fake reader
    )  # fmt: skip
    controller = Controller(options, secrets=SecretStore(keyring))

    async def scenario() -> int:
        task = asyncio.ensure_future(controller.run())
        window = await wait_for(lambda: controller.window, what="the main window")
        qtbot.addWidget(window)
        assert window.isVisible()
        assert controller.login_dialog is None  # closed and deleted once logged in
        assert window.new_case_action.isEnabled()  # an operator creates cases
        await wait_for(lambda: window.status.server_text == "Connecté", what="the server diode")
        assert "Connecté" in window.status.diode.text()
        assert keyring.get_password("centrale", SecretStore.token_key(url, username))
        # the card reader the controller built and started, followed by the main window and listed
        # by « Paramètres »
        await wait_for(lambda: "prêt (Lecteur simulé 00 00)" in window.status.card.text(), what="the reader")
        dialog = window.open_settings()
        await wait_for(lambda: dialog.readers_task.done(), what="the readers listed")
        assert dialog.card_reader.findText(FAKE_READER) > 0
        assert dialog.card_note.text() == "1 lecteur(s) détecté(s)."
        dialog.reject()
        window.close()
        return await asyncio.wait_for(task, 15)

    assert run(loop, scenario(), timeout=40) == 0
    assert controller.session is None  # stopped: client closed, tasks cancelled
