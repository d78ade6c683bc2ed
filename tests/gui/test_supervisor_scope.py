"""The supervisor's scope in the desktop (issue 18, item 6), against a real server: the hotline's own
supervisor (no network) sees the operator's and the secretary's cases on his board and in his
statistics, and his window title says « Superviseur de la plateforme »; a network supervisor's
title names his network and his board stops at it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from desktop.state import statistics as statistics_state
from desktop.state.board import Section
from desktop.ui.supervision.stats_view import StatisticsView
from tests.support.board_gui import open_board, shown
from tests.support.dispatch import Desk, place
from tests.support.gui import close_main_window, run, wait_for
from tests.support.live import LiveServer


def test_the_platform_supervisor_sees_the_whole_hotline_and_his_title_says_so(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    desk = Desk.open(gui_server)
    network = desk.network()
    network_name = {n["id"]: n["name"] for n in desk.operator.get("/networks").json()}[network]
    platform, _ = desk.staff("supervisor")
    watcher, _ = desk.staff("supervisor", [network])
    _, secretary = desk.staff("secretary")
    lat, lon = place()
    patient = desk.patient(lat, lon)
    by_operator = desk.send_one(patient["id"])["id"]
    answer = desk.post_case(patient["id"], client=secretary)
    assert answer.status_code == 201, answer.text
    by_secretary = answer.json()["prescriptions"][0]["id"]

    async def scenario() -> None:
        main, view = await open_board(gui_server, platform["username"], tmp_path / "platform")
        qtbot.addWidget(main)
        assert main.windowTitle() == f"Centrale — {platform['display_name']} (Superviseur de la plateforme)"
        await wait_for(
            lambda: {by_operator, by_secretary} <= shown(view, Section.SUPERVISED), what="the hotline's cases"
        )
        assert main.supervision is not None
        statistics = main.supervision.statistics
        assert isinstance(statistics, StatisticsView)
        period = statistics_state.period_for(statistics.chosen(), datetime.now(UTC))
        figures = await statistics.api.statistics(period)  # what the view reads
        assert figures.acceptance.sent >= 2  # not 0: the platform's cases are counted
        await close_main_window(main)

        main, view = await open_board(gui_server, watcher["username"], tmp_path / "network")
        qtbot.addWidget(main)
        expected = f"Centrale — {watcher['display_name']} (Superviseur du réseau {network_name})"
        await wait_for(lambda: main.windowTitle() == expected, what="the network named in the title")
        assert {by_operator, by_secretary} & shown(view, Section.SUPERVISED) == set()
        await close_main_window(main)

    try:
        run(loop, scenario(), timeout=60)
    finally:
        desk.close()
