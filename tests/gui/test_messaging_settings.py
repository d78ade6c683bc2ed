"""« Messagerie » in the admin's back office (Alt+9): the retention of conversations read from and
saved to a real server (docs/messaging.md « Retention »)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from tests.support.dispatch import Desk
from tests.support.gui import close_main_window, open_main_window, press, run, wait_for
from tests.support.live import ADMIN_PASSWORD, ADMIN_USERNAME, LiveServer


def test_the_admin_sets_how_long_a_silent_conversation_stays_open(
    loop: Any, qtbot: Any, gui_server: LiveServer, tmp_path: Path
) -> None:
    desk = Desk.open(gui_server)
    before = desk.admin.get("/admin/messaging-settings").json()["retention_days"]

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, ADMIN_USERNAME, ADMIN_PASSWORD, tmp_path)
        qtbot.addWidget(main)
        assert main.back_office is not None
        view = main.back_office.messaging_settings
        await press(main, Qt.Key.Key_9, Qt.KeyboardModifier.AltModifier)
        await wait_for(lambda: view.isVisible(), what="« Messagerie » shown by Alt+9")
        await wait_for(lambda: view.retention.value() == before, what="the retention read")
        view.retention.setValue(before + 10)
        await view.save()
        assert view.status.text().startswith("Conservation enregistrée")
        assert desk.admin.get("/admin/messaging-settings").json()["retention_days"] == before + 10
        view.retention.setValue(before)  # the shared server's setting as it was
        await view.save()
        await close_main_window(main)

    try:
        run(loop, scenario(), timeout=60)
    finally:
        desk.close()
    assert desk.admin.get("/admin/messaging-settings").json()["retention_days"] == before
