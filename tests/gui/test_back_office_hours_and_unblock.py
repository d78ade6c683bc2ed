"""The administrator's desktop against a real server (offscreen Qt): « Pref. Notifs » in the
professional's dialog (Tuesday 08:00–12:00 and Sunday unavailable, typed at the keyboard, saved,
seen again on reopening, audited), and « Débloquer » for a user the login throttle blocked (the
« État » column says until when, Paris time)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from desktop.ui.back_office import BackOffice
from desktop.ui.back_office.professionals_view import SettingsDialog
from tests.support.gui import close_main_window, open_main_window, press, run, type_text, wait_for
from tests.support.live import ADMIN_PASSWORD, ADMIN_USERNAME, PASSWORD, LiveServer, unique_name
from tests.support.supervision_gui import cell

STATE_COLUMN = 4


async def _open_dialog(office: BackOffice) -> SettingsDialog:
    opened: list[SettingsDialog] = []
    office.professionals.dialog_opened.connect(opened.append)
    office.professionals.edit_button.click()
    await wait_for(lambda: opened, what="the professional's dialog")
    office.professionals.dialog_opened.disconnect(opened.append)
    return opened[-1]


def _save(dialog: SettingsDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def test_notification_hours_in_the_professional_dialog(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
) -> None:
    last = unique_name("Horaire")
    pro, _ = gui_server.professional(last_name=last)

    async def scenario() -> None:
        window = await open_main_window(
            gui_server.process.base_url, ADMIN_USERNAME, ADMIN_PASSWORD, tmp_path / "desk"
        )
        try:
            assert isinstance(window.back_office, BackOffice)
            await steps(window.back_office)
        finally:
            await close_main_window(window)

    async def steps(office: BackOffice) -> None:
        professionals = office.professionals
        professionals.name.setText(last)
        await professionals.refresh()
        assert [cell(professionals.table, r, 0) for r in range(professionals.table.rowCount())] == [last]

        dialog = await _open_dialog(office)
        hours = dialog.notification_hours
        assert [s.currentText() for s in hours.states] == ["Disponible toute la journée"] * 7
        assert not hours.hours[1].isEnabled()
        # Tuesday at the keyboard: « Horaires personnalisés » (↓), Tab to its hours, typed wrong first.
        hours.states[1].setFocus()
        await press(dialog, Qt.Key.Key_Down)
        assert hours.states[1].currentData() == "custom"
        assert hours.hours[1].isEnabled()
        await press(dialog, Qt.Key.Key_Tab)
        assert dialog.focusWidget() is hours.hours[1]
        await type_text(dialog, "12:00-08:00")
        # Sunday: « Indisponible toute la journée » (↓ ↓).
        hours.states[6].setFocus()
        await press(dialog, Qt.Key.Key_Down)
        await press(dialog, Qt.Key.Key_Down)
        assert hours.states[6].currentData() == "off"
        _save(dialog)
        await wait_for(lambda: dialog.error.text(), what="the refusal")
        assert dialog.error.text() == (
            "Pref. Notifs, mardi : la plage 12:00-08:00 doit finir après son début (24:00 pour minuit)"
        )
        assert dialog.isVisible()  # nothing lost
        assert hours.hours[1].text() == "12:00-08:00"
        hours.hours[1].setFocus()
        hours.hours[1].selectAll()
        await type_text(dialog, "8h-12h")
        _save(dialog)
        await wait_for(lambda: not dialog.isVisible(), what="the dialog to close")
        await wait_for(lambda: "modifié" in professionals.status.text(), what="the saving")

        # Reopened: the week as saved (read back from the server).
        professionals.table.selectRow(0)
        again = await _open_dialog(office)
        states = [s.currentData() for s in again.notification_hours.states]
        assert states == ["all_day", "custom", "all_day", "all_day", "all_day", "all_day", "off"]
        assert again.notification_hours.hours[1].text() == "08:00-12:00"
        assert again.notification_hours.hours[1].isEnabled()
        assert not again.notification_hours.hours[6].isEnabled()
        again.reject()

    run(loop, scenario(), timeout=90)

    admin = gui_server.admin()
    profile = admin.get(f"/admin/professionals/{pro['user_id']}/profile").json()
    assert profile["notification_windows"][1] == {
        "weekday": 1,
        "state": "custom",
        "hours": [{"start": "08:00", "end": "12:00"}],
    }
    assert profile["notification_windows"][6]["state"] == "off"
    trail = admin.get(
        "/admin/audit", params={"action": "admin_professional_profile", "limit": 1000, "order": "desc"}
    ).json()
    mine = [e for e in trail if e["detail"].get("target_user_id") == pro["user_id"]]
    assert len(mine) == 1  # the refused attempt never reached the server
    assert mine[0]["username"] == ADMIN_USERNAME
    assert mine[0]["detail"]["fields"] == ["notification_windows"]
    before, after = mine[0]["detail"]["changes"]["notification_windows"]
    assert before[1]["state"] == "all_day"
    assert after[1] == {"weekday": 1, "state": "custom", "hours": [{"start": "08:00", "end": "12:00"}]}
    assert after[6]["state"] == "off"


def test_unblock_a_user_blocked_by_the_login_throttle(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
) -> None:
    user, _ = gui_server.user("secretary")
    name = user["username"]
    client = gui_server.client()
    answers = [
        client.post("/auth/login", json={"username": name, "password": "mauvais-mot-de-passe"}).status_code
        for _ in range(4)
    ]
    assert answers == [401, 401, 401, 429]
    listed = gui_server.admin().get("/admin/users", params={"q": name}).json()
    until = datetime.fromisoformat(listed[0]["blocked_until"]).astimezone(ZoneInfo("Europe/Paris"))
    shown = f"Actif · connexion bloquée jusqu'au {until:%d/%m/%Y %H:%M}"

    async def scenario() -> None:
        window = await open_main_window(
            gui_server.process.base_url, ADMIN_USERNAME, ADMIN_PASSWORD, tmp_path / "desk"
        )
        try:
            assert isinstance(window.back_office, BackOffice)
            await steps(window.back_office)
        finally:
            await close_main_window(window)

    async def steps(office: BackOffice) -> None:
        users = office.users
        users.search.setText(name)
        await users.refresh()
        assert users.select_username(name)
        row = users.table.currentRow()
        assert cell(users.table, row, STATE_COLUMN) == shown
        users.unblock_button.click()
        await wait_for(lambda: "débloqué" in users.status.text(), what="the unblocking")
        assert users.status.text() == f"Utilisateur « {name} » débloqué : il peut se reconnecter"
        row = users.table.currentRow()
        assert cell(users.table, row, 0) == name
        assert cell(users.table, row, STATE_COLUMN) == "Actif"
        users.unblock_button.click()  # again: nothing was blocked any more
        await wait_for(lambda: "n'était pas bloqué" in users.status.text(), what="the second answer")

    run(loop, scenario(), timeout=90)

    assert gui_server.login(name, PASSWORD)
    trail = gui_server.admin().get("/admin/audit", params={"action": "login_unblock", "limit": 1000}).json()
    mine = [e for e in trail if e["detail"].get("target_user_id") == user["id"]]
    assert sorted(e["detail"]["was_blocked"] for e in mine) == [False, True]
    assert {e["username"] for e in mine} == {ADMIN_USERNAME}
