"""The desktop killed mid-wizard (SIGKILL of the real application's process): at the next start the
draft is offered and resumed with every field, on the step where the operator was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from desktop.state.wizard.wizard import Step, Wizard
from tests.support.desktop import operator_account
from tests.support.gui import activate, close_main_window, open_main_window, press, run, wait_for
from tests.support.live import LiveServer

ROOT = Path(__file__).resolve().parents[2]


def test_a_killed_desktop_offers_its_draft_with_every_field(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    username, password, _operator = operator_account(gui_server)
    data = tmp_path / "desk"
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "gui" / "killed_desktop.py"),
         gui_server.process.base_url, username, password, str(data)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # printed once the wizard is filled and saved
        assert line, child.stderr.read() if child.stderr else "no output"
        before = json.loads(line)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, password, data)
        qtbot.addWidget(main)
        dialog = main.offer_drafts()
        assert dialog is not None
        assert dialog.list.count() == 1
        await activate(dialog)
        await press(dialog, Qt.Key.Key_Return)  # « Reprendre »
        restored = await wait_for(lambda: main.wizards.get(before["draft_id"]), what="the restored wizard")
        assert restored.wizard.step is Step.QUALIFICATION
        assert restored.wizard.to_json() == before  # every field of every step
        assert restored.wizard.qualification.prescriptions[1].days == "5"
        assert Wizard.from_json(before).submission().case == restored.wizard.submission().case
        await close_main_window(main)

    run(loop, scenario(), timeout=60)
