"""« Tableau de bord » on a real server: another client's answers reach the row within a second, the
filters, the supervisor's networks, opening a row (Entrée, double-click), auto refresh off."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog
from shiboken6 import Shiboken

from desktop.state.board import Section
from desktop.ui.board.model import STATE_COLOURS, Column
from shared.domain import PrescriptionState
from tests.support.board_gui import cell, changes_within, open_board, shown
from tests.support.dispatch import Desk, place, prescription
from tests.support.gui import close_main_window, press, run, type_text, wait_for
from tests.support.live import LiveServer, unique_name

LIVE_LIMIT = 1.0  # seconds from another client's answer to the row on screen


@pytest.fixture
def desk(gui_server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(gui_server)
    yield desk
    desk.close()


def test_another_clients_answers_change_the_row_within_a_second(
    loop, qtbot, desk: Desk, gui_server: LiveServer, tmp_path: Path
):
    operator, api = desk.staff("operator")
    lat, lon = place()
    responder = desk.responder(lat, lon)
    patient = desk.patient(lat, lon)

    async def scenario() -> None:
        main, view = await open_board(gui_server, operator["username"], tmp_path)
        qtbot.addWidget(main)
        assert main.tabs.tabText(main.tabs.currentIndex()) == "Tableau de bord"
        main.tabs.setCurrentIndex(0)
        await press(main, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
        assert main.tabs.currentWidget() is view  # Alt+2
        sent = desk.post_case(patient["id"], prescription(), prescription(care_type="Injection"), client=api)
        assert sent.status_code == 201, sent.text
        first, second = (p["id"] for p in sent.json()["prescriptions"])
        await changes_within(
            3.0, lambda: cell(view, first, Column.STATE, Section.MINE) == "En cours", "the new row"
        )
        assert cell(view, first, Column.NUMBER) == f"#{sent.json()['number']}"
        assert "1 ressource(s) déclenchée(s)" in (cell(view, first, Column.RECIPIENT) or "")
        assert patient["last_name"].upper() in (cell(view, first, Column.PATIENT) or "")
        assert "min" in (cell(view, first, Column.COUNTDOWN) or "")

        steps: list[tuple[str, dict[str, str] | None, str]] = [
            ("accept", None, f"Accepté par {responder.name}"),
            ("start", None, f"Débuté par {responder.name}"),
            ("finish", {"report": "Pansement fait"}, f"Terminé par {responder.name}"),
        ]
        for action, body, label in steps:
            answer = responder.client.post(f"/prescriptions/{first}/{action}", json=body)
            assert answer.status_code == 200, answer.text

            def state_is(label: str = label) -> bool:
                return cell(view, first, Column.STATE) == label

            await changes_within(LIVE_LIMIT, state_is, label)
        assert cell(view, first, Column.COUNTDOWN) == ""
        timeline = cell(view, first, Column.TIMESTAMPS) or ""
        assert "terminée" in timeline.splitlines()[0]
        assert "acceptation par" in timeline

        cancelled = api.post(f"/prescriptions/{second}/cancel", json={"reason": "Patient hospitalisé"})
        assert cancelled.status_code == 200, cancelled.text
        await changes_within(LIVE_LIMIT, lambda: cell(view, second, Column.STATE) == "Annulé", "cancelled")
        assert "Motif : Patient hospitalisé" in (cell(view, second, Column.TIMESTAMPS) or "")
        proxy = view.proxies[Section.MINE]
        row = view.proxy_row_of(Section.MINE, second)
        assert row is not None
        colour = proxy.index(row, Column.STATE).data(Qt.ItemDataRole.BackgroundRole).color().name()
        assert colour == STATE_COLOURS[PrescriptionState.CANCELLED]
        await close_main_window(main)

    run(loop, scenario(), timeout=60)


def test_every_filter_and_opening_a_row(loop, qtbot, desk: Desk, gui_server: LiveServer, tmp_path: Path):
    operator, api = desk.staff("operator")
    lat, lon = place()
    desk.responder(lat, lon)  # reached by the nurse request: « En cours » (nobody: « Aucune ressource »)
    name = unique_name("Filtrage")
    patient = desk.patient(lat, lon, last_name=name)
    other = desk.patient(lat, lon)
    nurse = desk.post_case(patient["id"], prescription(comment="Pansement zébré"), client=api).json()
    physio = desk.post_case(
        other["id"], prescription(profession_code="70", care_type="Rééducation"), client=api
    ).json()
    cancelled_id = physio["prescriptions"][0]["id"]
    assert api.post(f"/prescriptions/{cancelled_id}/cancel", json={"reason": "Doublon"}).status_code == 200
    nurse_id = nurse["prescriptions"][0]["id"]
    theirs = desk.send_one(other["id"])["id"]  # by another operator: « Fiches supervisées »

    async def scenario() -> None:
        main, view = await open_board(gui_server, operator["username"], tmp_path)
        qtbot.addWidget(main)
        assert shown(view, Section.MINE) == {nurse_id, cancelled_id}
        assert theirs in shown(view, Section.SUPERVISED)
        assert not {nurse_id, cancelled_id} & shown(view, Section.SUPERVISED)

        view.number.setFocus()
        await type_text(view, f"#{nurse['number']}")
        assert shown(view, Section.MINE) == {nurse_id}
        assert shown(view, Section.SUPERVISED) == set()
        view.number.clear()
        view.keyword.setFocus()
        await type_text(view, "zebre")  # without the accent
        assert shown(view, Section.MINE) == {nurse_id}
        view.keyword.setText(name.lower())
        assert shown(view, Section.MINE) == {nurse_id}
        view.keyword.clear()
        view.state.setCurrentIndex(view.state.findData("cancelled"))
        assert shown(view, Section.MINE) == {cancelled_id}
        view.state.setCurrentIndex(0)
        view.profession.setCurrentIndex(view.profession.findData("70"))
        assert shown(view, Section.MINE) == {cancelled_id}
        assert theirs not in shown(view, Section.SUPERVISED)
        view.profession.setCurrentIndex(0)
        assert shown(view, Section.MINE) == {nurse_id, cancelled_id}

        # « Rafraîchissement auto » off: the change waits for « Actualiser ».
        view.auto.setChecked(False)
        again = api.post(f"/prescriptions/{nurse_id}/cancel", json={"reason": "Erreur de saisie"})
        assert again.status_code == 200
        await wait_for(lambda: view.missed > 0, what="the change counted")
        assert cell(view, nurse_id, Column.STATE) == "En cours"
        assert "non affiché" in view.status.text()
        view.refresh_button.click()
        await wait_for(lambda: cell(view, nurse_id, Column.STATE) == "Annulé", what="the refresh")
        view.auto.setChecked(True)

        opened: list[int] = []
        view.open_requested.connect(opened.append)
        table = view.tables[Section.MINE]
        table.setFocus()
        nurse_row = view.proxy_row_of(Section.MINE, nurse_id)
        assert nurse_row is not None
        table.setCurrentIndex(view.proxies[Section.MINE].index(nurse_row, 0))
        QTest.keyClick(table, Qt.Key.Key_Return)
        row = view.proxy_row_of(Section.MINE, cancelled_id)
        assert row is not None
        centre = table.visualRect(view.proxies[Section.MINE].index(row, Column.PATIENT)).center()
        QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)  # as a hand does:
        QTest.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)  # press, then double
        assert opened == [nurse_id, cancelled_id]
        await asyncio.sleep(0.2)
        details = [d for d in main.findChildren(QDialog) if type(d).__name__ == "PrescriptionDialog"]
        assert len(details) == 2  # MainWindow.open_prescription: one window per row opened
        for dialog in details:
            dialog.close()
        await close_main_window(main)

    run(loop, scenario(), timeout=60)


def test_a_supervisor_sees_only_their_networks(
    loop, qtbot, desk: Desk, gui_server: LiveServer, tmp_path: Path
):
    mine, others = desk.network(), desk.network()
    supervisor, supervisor_api = desk.staff("supervisor", [mine])
    lat, lon = place()
    patient = desk.patient(lat, lon)
    inside = desk.send_one(patient["id"], network_id=mine)["id"]
    outside = desk.send_one(patient["id"], network_id=others)["id"]
    own = desk.post_case(patient["id"], client=supervisor_api).json()["prescriptions"][0]["id"]

    async def scenario() -> None:
        main, view = await open_board(gui_server, supervisor["username"], tmp_path)
        qtbot.addWidget(main)
        assert shown(view, Section.MINE) == {own}
        assert shown(view, Section.SUPERVISED) == {inside}
        live_outside = desk.send_one(patient["id"], network_id=others)["id"]
        live_inside = desk.send_one(patient["id"], network_id=mine)["id"]
        await wait_for(lambda: live_inside in shown(view, Section.SUPERVISED), what="the new row")
        await wait_for(lambda: live_outside in view.feed.absent, what="the other network's row read")
        assert shown(view, Section.SUPERVISED) == {inside, live_inside}
        assert view.model.source_row(outside) is None
        assert view.model.source_row(live_outside) is None
        await close_main_window(main)

    run(loop, scenario(), timeout=60)


def test_a_board_deleted_with_its_window_unhooks_itself(
    loop, qtbot, desk: Desk, gui_server: LiveServer, tmp_path: Path
):
    operator, api = desk.staff("operator")
    lat, lon = place()
    patient = desk.patient(lat, lon)

    async def scenario() -> None:
        main, view = await open_board(gui_server, operator["username"], tmp_path)
        session = main.session
        session.on_event.remove(main._event)  # the window's own label (not the board's): unguarded
        listeners = len(session.on_event)
        main.close()
        main.deleteLater()  # the session is still following the feed
        await wait_for(lambda: not Shiboken.isValid(view), what="the board deleted")
        assert desk.post_case(patient["id"], client=api).status_code == 201
        await wait_for(lambda: len(session.on_event) < listeners, what="the board's listener removed")
        await session.stop()

    run(loop, scenario(), timeout=60)
