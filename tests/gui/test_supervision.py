"""The supervisor's view against a real server: the statistics charts drawn from data made through
the API (pixels of the bars counted on the grabbed charts), the CSV export writing the server's
file, the incidents of their networks only, and the wall-board following the change feed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from desktop.state import statistics
from desktop.sync.supervision_api import SupervisionApi
from desktop.ui.supervision.charts import PALETTE
from desktop.ui.supervision.stats_view import StatisticsView
from tests.support.dispatch import Desk, place, prescription
from tests.support.gui import close_main_window, open_main_window, press, run, wait_for
from tests.support.live import PASSWORD, LiveServer
from tests.support.supervision_gui import (
    api_client,
    cell,
    count_colour,
    count_not_background,
    grab,
    post_call,
)

DRAWN = PALETTE[0]  # the first series of every chart


@dataclass
class Network:
    """A network with its supervisor and an operator, and cases sent from there."""

    desk: Desk
    network_id: int
    supervisor: dict[str, Any]
    operator: httpx.Client
    patient_id: int
    responder_client: httpx.Client

    def send(self, comment: str = "Pansement simple au domicile") -> int:
        response = self.desk.post_case(self.patient_id, prescription(comment=comment), client=self.operator)
        assert response.status_code == 201, response.text
        return int(response.json()["prescriptions"][0]["id"])

    def accept(self, prescription_id: int) -> None:
        response = self.responder_client.post(f"/prescriptions/{prescription_id}/accept")
        assert response.status_code == 200, response.text


@pytest.fixture
def desk(gui_server: LiveServer) -> Iterator[Desk]:
    opened = Desk.open(gui_server)
    yield opened
    opened.close()


def network(desk: Desk) -> Network:
    network_id = desk.network()
    supervisor, _ = desk.staff("supervisor", [network_id])
    _operator, operator = desk.staff("operator", [network_id])
    lat, lon = place()
    responder = desk.responder(lat, lon)
    patient = desk.patient(lat, lon)
    return Network(desk, network_id, supervisor, operator, patient["id"], responder.client)


def test_the_statistics_charts_are_drawn_from_the_servers_figures(loop, qtbot, desk: Desk):
    mine = network(desk)
    accepted = mine.send()
    mine.send("Deuxième demande, encore en attente")
    mine.accept(accepted)
    post_call(mine.operator)  # a missed call of the network's operator
    empty = network(desk)  # another supervisor: nothing sent in their network

    async def scenario() -> None:
        base_url = desk.server.process.base_url
        client = await api_client(base_url, mine.supervisor["username"])
        view = StatisticsView(SupervisionApi(client))
        qtbot.addWidget(view)
        view.resize(1100, 1300)
        view.show()
        await view.refresh()
        data = view.data
        assert data is not None
        assert (data.sent, data.accepted) == (2, 1)  # their network's requests only
        assert dict(data.states)["Accepté"] == 1
        assert dict(data.states)["En cours"] == 1
        assert data.professions == [("Infirmier", 2)]
        assert data.rate_text == "100 %"  # 1 accepted, none expired or cancelled
        assert data.has_calls  # a supervisor counts every call
        assert view.summary.text().startswith("2 déclenchements — taux d'acceptation 100 %")
        charts = (view.calls_chart, view.states_chart, view.professions_chart, view.delays_chart)
        for chart in (*charts, view.acceptance_chart):
            image = grab(chart)
            assert count_not_background(image) > 2000, chart.objectName()
            assert count_colour(image, DRAWN) > 150, f"{chart.objectName()}: no bar drawn"

        other = await api_client(base_url, empty.supervisor["username"])
        nothing = StatisticsView(SupervisionApi(other))
        qtbot.addWidget(nothing)
        nothing.resize(1100, 1300)
        nothing.show()
        await nothing.refresh()
        assert nothing.data is not None
        assert nothing.data.sent == 0
        for chart in (nothing.states_chart, nothing.professions_chart, nothing.delays_chart):
            assert count_colour(grab(chart), DRAWN) == 0, chart.objectName()  # the check can fail
        await client.aclose()
        await other.aclose()

    run(loop, scenario(), timeout=40)


def test_the_csv_export_writes_the_servers_file(loop, qtbot, desk: Desk, tmp_path: Path):
    mine = network(desk)
    mine.send()
    target = tmp_path / "export.csv"

    async def scenario() -> None:
        client = await api_client(desk.server.process.base_url, mine.supervisor["username"])
        view = StatisticsView(SupervisionApi(client))
        qtbot.addWidget(view)
        view.show()
        await view.refresh()
        assert view.period is not None
        assert round(view.period.days) == 14  # the default, as the board's
        view.period_choice.setCurrentIndex(view.period_choice.findText("Aujourd'hui"))  # re-reads
        await wait_for(lambda: view.period is not None and view.period.days <= 1, what="today's figures")
        assert view.data is not None
        assert view.data.sent == 1  # sent just now
        view.activateWindow()
        await wait_for(lambda: QApplication.activeWindow() is view, what="the view to be active")
        with qtbot.waitSignal(view.export_dialog_opened) as opened:
            QTest.keyClick(view, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)  # « Exporter en CSV… »
        dialog = opened.args[0]
        assert isinstance(dialog, QFileDialog)
        assert dialog.acceptMode() is QFileDialog.AcceptMode.AcceptSave
        assert view.period is not None
        assert dialog.selectedFiles()[0].endswith(view.period.csv_name())
        dialog.selectFile(str(target))
        dialog.accept()
        await wait_for(lambda: view.status.text().startswith("Export enregistré"), what="the export")
        period = view.period
        await client.aclose()
        expected = desk.server.client(desk.server.login(mine.supervisor["username"], PASSWORD)).get(
            "/stats/prescriptions.csv",
            params={"since": period.since.isoformat(), "until": period.until.isoformat()},
        )
        assert expected.status_code == 200
        # the server's file, its times in Paris with their offset (issue 18: never UTC or the workstation's)
        assert target.read_bytes() == statistics.csv_in_zone(expected.content)
        lines = target.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0].startswith("fiche;demande;tour")
        assert len(lines) == 2  # the network's one request
        sent_utc = datetime.fromisoformat(expected.text.lstrip("\ufeff").splitlines()[1].split(";")[3])
        sent_paris = lines[1].split(";")[3]
        assert sent_paris == sent_utc.astimezone(ZoneInfo("Europe/Paris")).isoformat()
        assert sent_paris.endswith(("+01:00", "+02:00"))

    run(loop, scenario(), timeout=30)


def test_a_supervisor_sees_only_their_networks_incidents(loop, qtbot, desk: Desk):
    ours, theirs = network(desk), network(desk)
    own = ours.operator.post("/incidents", json={"text": "Intervenant injoignable sur notre réseau"})
    other = theirs.operator.post("/incidents", json={"text": "Incident d'un autre réseau"})
    assert own.status_code == other.status_code == 201

    async def scenario() -> None:
        client = await api_client(desk.server.process.base_url, ours.supervisor["username"])
        view = StatisticsView(SupervisionApi(client))
        qtbot.addWidget(view)
        view.show()
        await view.refresh()
        assert view.incident_ids() == [own.json()["id"]]
        assert cell(view.incidents, 0, 3) == "Intervenant injoignable sur notre réseau"
        assert cell(view.incidents, 0, 2).startswith("Réseau ")  # the network's name
        await client.aclose()

    run(loop, scenario(), timeout=30)


def test_the_supervisors_tabs_and_the_wallboard_follow_the_change_feed(
    loop, qtbot, desk: Desk, tmp_path: Path
):
    mine = network(desk)
    first = mine.send()

    async def scenario() -> None:
        main = await open_main_window(
            desk.server.process.base_url, mine.supervisor["username"], PASSWORD, tmp_path
        )
        qtbot.addWidget(main)
        supervision = main.supervision
        assert supervision is not None
        assert supervision.statistics is not None
        assert supervision.wallboard is not None
        await press(main, Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)
        assert main.tabs.currentWidget() is supervision.statistics

        await press(main, Qt.Key.Key_F11)  # « Mode mur d'écran »
        wall = supervision.wallboard
        assert wall.isVisible()
        assert wall.isFullScreen()
        await wait_for(lambda: wall.figures is not None, what="the wall-board's figures")
        assert wall.values["pending"].text() == "1"
        assert wall.values["accepted"].text() == "0"

        mine.accept(first)  # live: the change feed moves the figures
        await wait_for(lambda: wall.values["accepted"].text() == "1", what="the accepted count")
        view = supervision.statistics
        await wait_for(lambda: view.data is not None and view.data.accepted == 1, what="the charts, live")
        assert wall.values["pending"].text() == "0"
        mine.send("Une autre demande")
        await wait_for(lambda: wall.values["pending"].text() == "1", what="the pending count")
        assert wall.updated.text().startswith("Mis à jour à")

        incident = mine.operator.post("/incidents", json={"text": "Signalement en direct"})
        assert incident.status_code == 201
        await wait_for(lambda: incident.json()["id"] in view.incident_ids(), what="the incident, live")

        await press(wall, Qt.Key.Key_Escape)
        assert not wall.isVisible()
        await close_main_window(main)

    run(loop, scenario(), timeout=40)
