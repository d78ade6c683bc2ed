"""The administrator's desktop against a real server (offscreen Qt): « Accueil » shows the counts;
create an operator, deactivate a professional, rename a network through the real dialogs; then the
« Journal d'audit » filtered shows each act, and « Exporter en CSV… » writes the server's file."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLineEdit, QTableWidget

from desktop.ui.back_office import BackOffice
from desktop.ui.back_office.networks_view import NameDialog
from desktop.ui.back_office.user_dialogs import FormDialog, UserDialog
from tests.support.gui import close_main_window, open_main_window, press, run, wait_for
from tests.support.live import ADMIN_PASSWORD, ADMIN_USERNAME, PASSWORD, LiveServer, unique, unique_name
from tests.support.supervision_gui import cell


def _save(dialog: FormDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def _column(table: QTableWidget, column: int) -> list[str]:
    return [cell(table, row, column) for row in range(table.rowCount())]


def test_the_admin_back_office(loop, qtbot, gui_server: LiveServer, tmp_path: Path) -> None:
    network = gui_server.network(unique("CPTS Essonne "))
    last = unique_name("Lebrun")
    pro, _ = gui_server.professional(last_name=last, network_ids=[network])
    operator_name = unique("oper")
    target = tmp_path / "journal-audit.csv"

    async def scenario() -> None:
        window = await open_main_window(
            gui_server.process.base_url, ADMIN_USERNAME, ADMIN_PASSWORD, tmp_path / "desk"
        )
        try:
            await steps(window)
        finally:
            await close_main_window(window)

    async def steps(window) -> None:
        office = window.back_office
        assert isinstance(office, BackOffice)
        titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        assert titles == [
            "Accueil",
            "Utilisateurs",
            "Professionnels",
            "Réseaux",
            "Journal d'audit",
            "Inscriptions à valider",
            "Journal des notifications",
            "Téléphonie",
            "Messagerie",
        ]
        await wait_for(lambda: "Comptes actifs" in office.overview.lines.text(), what="the counts")
        assert "Réseaux : " in office.overview.lines.text()

        # « Utilisateurs » (Alt+2): a new operator through the dialog.
        await press(window, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
        assert window.tabs.currentWidget() is office.users
        opened: list[UserDialog] = []
        office.users.dialog_opened.connect(opened.append)
        office.users.new_button.click()
        dialog = opened[-1]
        # No password fields (issue 17): the account chooses its own with a one-time link.
        assert dialog.email is not None
        assert dialog.phone is not None
        assert dialog.findChildren(QLineEdit, "password") == []
        assert all(e.echoMode() == QLineEdit.EchoMode.Normal for e in dialog.findChildren(QLineEdit))
        dialog.username.setText(operator_name)
        dialog.display_name.setText("Opératrice Nadia")
        dialog.role.setCurrentIndex(dialog.role.findData("operator"))
        dialog.email.setText("nadia-sans-domaine")
        _save(dialog)
        await wait_for(lambda: "E-mail" in dialog.error.text(), what="the e-mail refused")
        assert dialog.isVisible()  # nothing lost: the form stays open with the reason
        assert dialog.username.text() == operator_name
        dialog.email.setText("")  # neither e-mail nor phone: the link is shown once, to hand over
        _save(dialog)
        await wait_for(lambda: office.users.status.text().startswith("Utilisateur «"), what="the creation")
        created = f"Utilisateur « {operator_name} » créé (Opérateur de la centrale) : "
        assert office.users.status.text().startswith(created)
        token = re.search(r"jeton=([A-Za-z0-9_-]+)", office.users.status.text())
        assert token is not None, office.users.status.text()
        await wait_for(lambda: operator_name in _column(office.users.table, 0), what="the new row")
        chosen = {"token": token.group(1), "password": PASSWORD}
        assert gui_server.client().post("/password-reset/confirm", json=chosen).status_code == 200
        assert gui_server.login(operator_name)

        # « Professionnels »: found by name, deactivated.
        professionals = office.professionals
        professionals.name.setText(last)
        await professionals.refresh()
        assert _column(professionals.table, 0) == [last]
        assert cell(professionals.table, 0, 8) == "Actif"
        await professionals.toggle_selected()
        assert professionals.status.text() == f"Professionnel « {last.upper()} Jean-Marc » désactivé"
        assert cell(professionals.table, 0, 8) == "Désactivé"
        assert gui_server.admin().get(f"/admin/professionals/{pro['user_id']}").json()["active"] is False

        # « Réseaux »: renamed through the dialog; the counts shown.
        networks = office.networks
        await networks.refresh()
        assert networks.select_id(network)
        row = networks.table.currentRow()
        assert [cell(networks.table, row, c) for c in range(1, 4)] == ["1", "1", "0"]
        named: list[NameDialog] = []
        networks.dialog_opened.connect(named.append)
        networks.rename_button.click()
        named[-1].name.setText("  CPTS   Essonne   Sud ")
        _save(named[-1])
        await wait_for(lambda: "renommé en" in networks.status.text(), what="the renaming")
        assert networks.status.text().endswith("renommé en « CPTS Essonne Sud »")
        await wait_for(lambda: "CPTS Essonne Sud" in _column(networks.table, 0), what="the new name")

        # « Journal d'audit »: filtered on this administrator and one action at a time.
        audit = office.audit
        audit.user.setText(ADMIN_USERNAME)
        for action, expected in (
            ("Utilisateur créé", operator_name),
            ("Professionnel désactivé", pro["username"]),
            ("Réseau renommé", "CPTS Essonne Sud"),
        ):
            audit.action.setCurrentText(action)
            await audit.refresh()
            assert _column(audit.table, 3)[0] == action
            assert expected in cell(audit.table, 0, 7)
        audit.since.setText("32/13/2025")
        await audit.refresh()
        assert audit.status.text() == "Du : date invalide « 32/13/2025 » (JJ/MM/AAAA attendu)"
        audit.since.setText("")

        # « Exporter en CSV… » with every administrative act of the day.
        audit.action.setCurrentText("")
        dialogs: list[QFileDialog] = []
        audit.export_dialog_opened.connect(dialogs.append)
        audit.export_button.click()
        save = dialogs[-1]
        assert save.acceptMode() is QFileDialog.AcceptMode.AcceptSave
        assert save.selectedFiles()[0].endswith(".csv")
        written: list[str] = []
        audit.exported.connect(written.append)
        save.selectFile(str(target))
        save.accept()
        await wait_for(lambda: written, timeout=15, what="the export")
        assert written == [str(target)]
        assert audit.status.text() == f"Export enregistré : {target}"
        raw = target.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:7] == ["Date", "Heure", "N°", "Utilisateur (id)", "Identifiant", "Rôle", "Action"]
        acts = {(r[6], r[13]) for r in rows[1:]}
        assert any(a == "admin_user_create" and operator_name in d for a, d in acts)
        assert any(a == "admin_professional_deactivate" and pro["username"] in d for a, d in acts)
        assert any(a == "admin_network_rename" and "CPTS Essonne Sud" in d for a, d in acts)
        assert {r[4] for r in rows[1:]} == {ADMIN_USERNAME}
        exported = gui_server.admin().get(
            "/admin/audit", params={"action": "admin_audit_export", "order": "desc", "limit": 1}
        )
        assert exported.json()[0]["detail"]["filters"] == {"username": ADMIN_USERNAME}

    run(loop, scenario(), timeout=90)
