"""Run by test_killed_desktop.py in a child process: the real application logs in, a wizard is
filled on every step (each change autosaved, as in the UI), the wizard's JSON is printed, then the
process waits to be killed (SIGKILL: no clean-up of any kind)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync  # type: ignore[import-untyped]
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop.state.wizard.wizard import Operator
from desktop.ui.application import Controller, Options
from desktop.ui.main_window import MainWindow
from tests.support.desktop import new_patient_wizard


def main() -> int:
    url, username, password, data_dir = sys.argv[1:5]
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    options = Options(
        server_url=url, username=username, password=password, data_dir=Path(data_dir)
    )  # fmt: skip
    controller = Controller(options)

    def fill() -> None:
        window = controller.window
        if not isinstance(window, MainWindow):
            QTimer.singleShot(50, fill)
            return
        operator = Operator(window.session.user.id, window.session.user.display_name)
        opened = window.open_wizard(new_patient_wizard(operator, comments=("Pansement", "Prise de sang")))
        opened.wizard.set_prescription_field(1, "days", "5")  # a change made in the open window
        print(json.dumps(opened.wizard.to_json(), ensure_ascii=False), flush=True)

    QTimer.singleShot(0, fill)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        return int(loop.run_until_complete(controller.run()))


if __name__ == "__main__":
    raise SystemExit(main())
