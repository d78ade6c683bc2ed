"""Issue 18, item 3: a request that reached nobody (`notified_count == 0`) is unmistakable — on the
board (« Aucune ressource disponible », its own colour, no countdown), in the send result (not
« Déclenchement réussi »), in the tray, in the details — and « Renouveler » widens it at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.state import reached_nobody
from desktop.state.board import Section
from desktop.state.tray_notices import NoticeKind
from desktop.ui.board.model import Column
from desktop.ui.prescription.details_dialog import PrescriptionDialog
from desktop.ui.wizard.success_dialog import SuccessDialog
from shared.schemas.dispatch import CaseCreated
from tests.support.board_gui import cell, changes_within, open_board
from tests.support.dispatch import Desk, place, prescription
from tests.support.gui import close_main_window, run, wait_for
from tests.support.live import LiveServer


@pytest.fixture
def desk(gui_server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(gui_server)
    yield desk
    desk.close()


def test_a_request_that_reached_nobody_says_so_and_is_widened(
    loop, qtbot, desk: Desk, gui_server: LiveServer, tmp_path: Path
):
    operator, api = desk.staff("operator")
    lat, lon = place()
    patient = desk.patient(lat, lon)  # nobody around

    async def scenario() -> None:
        main, view = await open_board(gui_server, operator["username"], tmp_path)
        qtbot.addWidget(main)
        sent = desk.post_case(patient["id"], prescription(), client=api)
        assert sent.status_code == 201, sent.text
        created = CaseCreated.model_validate(sent.json())
        assert created.prescriptions[0].notified_count == 0
        pid = created.prescriptions[0].id

        # the send result
        dialog = SuccessDialog(created, "Plateforme Centrale", patient_known=True)
        qtbot.addWidget(dialog)
        assert not dialog.windowTitle().startswith("Déclenchement réussi")
        assert dialog.windowTitle().startswith("Déclenchement envoyé, aucun professionnel joint")
        assert not any(line.startswith("OK pour déclenchement") for line in dialog.lines)
        assert not dialog.advice.isHidden()
        assert "« Renouveler » avec un autre délai" in dialog.advice.text()

        # the board: its own state and colour, no countdown
        await changes_within(5.0, lambda: cell(view, pid, Column.STATE, Section.MINE), "the row")
        assert cell(view, pid, Column.STATE) == "Aucune ressource disponible"
        countdown = cell(view, pid, Column.COUNTDOWN) or ""
        assert "min" not in countdown
        assert "à renouveler" in countdown
        proxy = view.proxies[Section.MINE]
        row = view.proxy_row_of(Section.MINE, pid)
        assert row is not None
        brush = proxy.index(row, Column.STATE).data(Qt.ItemDataRole.BackgroundRole)
        assert brush.color().name() == reached_nobody.COLOUR

        # the tray (offscreen: the status bar, through the same notifier)
        assert main.supervision is not None
        notifier = main.supervision.notifier
        notice = await wait_for(
            lambda: next((n for n in notifier.shown if n.prescription_id == pid), None), what="the notice"
        )
        assert notice.kind is NoticeKind.NO_RECIPIENT
        assert notice.title == f"Fiche #{created.number} : aucun professionnel joint"
        assert "Renouveler" in notice.message

        # the details, then « Renouveler » once someone is around: the pending round is widened
        details = main.open_prescription(pid)
        assert isinstance(details, PrescriptionDialog)
        await wait_for(lambda: details.details is not None, what="the details")
        assert "Aucune ressource disponible" in details.header.text()
        assert "À faire" in details.header.text()
        assert details.windowTitle().endswith("Aucune ressource disponible")
        assert details.renew.button.isEnabled()
        desk.responder(lat, lon)
        details.renew.free_text.setPlainText("Élargi : un intervenant vient de s'inscrire")
        assert await details.renew.submit()
        view_after = desk.get(pid, api)
        assert view_after["round"] == 2
        assert view_after["notified_count"] == 1
        await changes_within(5.0, lambda: cell(view, pid, Column.STATE) == "En cours", "the renewed row")
        assert "min" in (cell(view, pid, Column.COUNTDOWN) or "")
        await wait_for(
            lambda: details.details is not None and details.details.prescription.round == 2,
            what="the 2nd round",
        )
        timeline = [details.timeline.item(i).text() for i in range(details.timeline.count())]
        assert "2e Déclenchement — 1 ressource(s) déclenchée(s)" in timeline[0], timeline
        details.close()
        await close_main_window(main)

    run(loop, scenario(), timeout=60)
