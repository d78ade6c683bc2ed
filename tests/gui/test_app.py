"""`centrale`: the version, and the application's path from login to a closed main window."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

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
        server_url=url, username=username, password=password, data_dir=tmp_path / "desk", card_reader=False
    )
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
        window.close()
        return await asyncio.wait_for(task, 15)

    assert run(loop, scenario(), timeout=40) == 0
    assert controller.session is None  # stopped: client closed, tasks cancelled
