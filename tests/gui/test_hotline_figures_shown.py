"""Issue 19, the hotline's figures as a supervisor sees them: a known sequence of hotline calls told
through the telephony routes (as Kamailio and the queue holder tell them) → the exact figures of
« Statistiques » « Standard téléphonique » (received, answered, lost, service level and its colour,
waits, talk, per hour in Paris time, per operator), its CSV (the server's file), and the wall-board's
(F11) hotline tiles coloured by the thresholds of docs/board.md — all of them following the change
feed live as callers queue, operators pause and callers hang up.

The module has a server of its own (the hotline's calls and figures are one per server: the shared
GUI server's other tests would move them)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from desktop.state.hotline_figures import LEVEL_COLOURS, Level
from desktop.ui.main_window import MainWindow
from desktop.ui.supervision.hotline_stats import HotlineStatsSection
from desktop.ui.supervision.hotline_tiles import HotlineTiles
from tests.integration.conftest import start_live
from tests.support.gui import activate, close_main_window, open_main_window, press, run, wait_for
from tests.support.hotline import Hotline, Operator, ok
from tests.support.live import PASSWORD, LiveServer, unique

PARIS = ZoneInfo("Europe/Paris")
GREEN, AMBER, RED, WHITE = (
    LEVEL_COLOURS[level] for level in (Level.OK, Level.WATCH, Level.ALERT, Level.NONE)
)
# (waited before the answer, talk, who) of each call; who None: hung up in the queue after the wait
SEQUENCE: list[tuple[int, int, str | None]] = [
    (3, 60, "a"),
    (5, 60, "b"),
    (8, 60, "a"),
    (10, 60, "b"),
    (12, 60, "a"),
    (15, 60, "b"),
    (18, 60, "a"),
    (20, 150, "b"),  # 20 s: still within the service level (« 20 s ou moins »)
    (45, 60, "a"),  # answered within 60 s, not within 20 s
    (30, 0, None),  # waited 30 s in the queue and hung up: lost
]


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from start_live("sqlite", tmp_path_factory.mktemp("hotline-figures"))


def staff(server: LiveServer, role: str, name: str) -> tuple[dict[str, Any], Any]:
    username = unique(role[:4])
    body = {"username": username, "password": PASSWORD, "role": role, "display_name": name, "network_ids": []}
    user = ok(server.admin().post("/admin/users", json=body), 201)
    return user, server.client(server.login(username))


def operator(line: Hotline, name: str) -> Operator:
    user, client = staff(line.server, "operator", name)
    found = Operator(user, client, unique("sip"))
    line.operators.append(found)
    found.set("available")
    return found


def first_arrival() -> datetime:
    """Ten arrivals two seconds apart, a few minutes back, all in the current Paris hour (so in
    today's figures and in one row of « Par heure »)."""
    now = datetime.now(UTC)
    hour_start = now.astimezone(PARIS).replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    if now - hour_start < timedelta(seconds=30):
        time.sleep(30 - (now - hour_start).total_seconds())
    return max(datetime.now(UTC) - timedelta(minutes=5), hour_start)


def play(line: Hotline, a: Operator, b: Operator) -> datetime:
    base = first_arrival()
    who = {"a": a, "b": b}
    for index, (wait, talk, name) in enumerate(SEQUENCE):
        call_id = f"{uuid.uuid4()}@sipp"
        arrived = base + timedelta(seconds=2 * index)
        line.event(
            call_id, "arrived", caller_number="+33612345678", caller_name="Dr Test", at=arrived.isoformat()
        )
        if name is None:
            line.event(call_id, "queued", at=arrived.isoformat())
            line.event(call_id, "lost", at=(arrived + timedelta(seconds=wait)).isoformat())
            continue
        answered = arrived + timedelta(seconds=wait)
        line.event(call_id, "answered", who[name].sip_user, at=answered.isoformat())
        line.event(call_id, "ended", who[name].sip_user, at=(answered + timedelta(seconds=talk)).isoformat())
    return base


def queue_caller(line: Hotline, waited: int, name: str) -> str:
    """A caller who arrived `waited` seconds ago and waits in the queue (the holder answered them)."""
    call_id = f"{uuid.uuid4()}@sipp"
    arrived = (datetime.now(UTC) - timedelta(seconds=waited)).isoformat()
    line.event(call_id, "arrived", caller_number="+33698765432", caller_name=name, at=arrived)
    line.event(call_id, "queued", at=arrived)
    return call_id


def figure(section: HotlineStatsSection, label: str) -> tuple[str, str]:
    """(value, background colour or "") of a figure of « Standard téléphonique »."""
    text, style = section.figure(label)
    found = re.search(r"background: (#[0-9a-f]{6})", style)
    return text.removeprefix("<b>").removesuffix("</b>"), found.group(1) if found else ""


def tile(tiles: HotlineTiles, key: str) -> tuple[str, str]:
    """(value, colour) of a wall-board tile, as painted."""
    found = re.search(r"color: (#[0-9a-f]{6})", tiles.values[key].styleSheet())
    return tiles.values[key].text(), found.group(1) if found else ""


def table(widget: Any) -> list[list[str]]:
    return [
        [widget.item(r, c).text() if widget.item(r, c) else "" for c in range(widget.columnCount())]
        for r in range(widget.rowCount())
    ]


def headers(widget: Any) -> list[str]:
    return [widget.horizontalHeaderItem(c).text() for c in range(widget.columnCount())]


async def export_csv(main: MainWindow, section: HotlineStatsSection, folder: Path, qtbot: Any) -> Path:
    """« Exporter le standard en CSV… » (Alt+T): the proposed name kept, in `folder`."""
    with qtbot.waitSignal(section.export_dialog_opened) as opened:
        await press(main, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    dialog = opened.args[0]
    assert isinstance(dialog, QFileDialog)
    assert dialog.acceptMode() is QFileDialog.AcceptMode.AcceptSave
    assert section.period is not None
    since, until = section.period.since.astimezone(PARIS), section.period.until.astimezone(PARIS)
    name = f"standard-{since:%Y%m%d}-{until:%Y%m%d}.csv"  # the period's days in Paris
    assert Path(dialog.selectedFiles()[0]).name == name
    dialog.setDirectory(str(folder))
    dialog.accept()  # the file is written off the GUI thread
    await wait_for(lambda: section.status.text().startswith("Export enregistré"), what="the export")
    return folder / name


def test_the_hotline_s_figures_tiles_and_csv_of_a_known_sequence_follow_live(
    loop, qtbot, own_server: LiveServer, tmp_path: Path
):
    line = Hotline(own_server)
    line.settings(
        wrap_up_seconds=0, service_level_seconds=20, service_level_target_percent=80, unanswered_limit=3
    )
    a, b = operator(line, "Anne Opératrice"), operator(line, "Bruno Opérateur")
    base = play(line, a, b).astimezone(PARIS)
    supervisor, watcher = staff(own_server, "supervisor", "Sophie Superviseure")

    async def watch(main: MainWindow) -> None:
        supervision = main.supervision
        assert supervision is not None
        assert supervision.statistics is not None
        stats = supervision.statistics
        section = stats.hotline
        assert section is not None
        await press(main, Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)  # « Statistiques »
        assert main.tabs.currentWidget() is stats
        await wait_for(lambda: section.stats is not None, what="the hotline's figures")

        # the period's figures (14 days, the default), each coloured against its anchor
        assert figure(section, "Appels reçus") == ("10", "")
        assert figure(section, "Décrochés en moins de 20 s (objectif 80 %)") == ("80 %", GREEN)
        assert figure(section, "Décrochés en moins de 60 s") == ("90 %", AMBER)  # 90 % < 99 % − 10
        assert figure(section, "Décrochés") == ("9", "")
        assert figure(section, "Perdus") == ("1", "")
        assert figure(section, "Attente moyenne") == ("17 s", "")  # (3+5+…+45 + 30 lost) / 10 = 16.6
        assert figure(section, "Attente maximale") == ("45 s", "")
        assert figure(section, "Durée moyenne de communication") == ("1 min 10 s", "")  # 630 / 9
        assert figure(section, "Durée moyenne de post-appel") == ("—", "")  # no wrap-up (0 s)
        assert table(section.hours) == [
            [f"{base:%d/%m} {base.hour:02d} h", "10", "9", "1", "80 %", "17 s"]  # Paris's hour
        ]
        assert headers(section.operators) == ["Opérateur", "Décrochés", "Communication", "Post-appel"]
        assert table(section.operators) == [
            ["Anne Opératrice", "5", "5 min 00 s", "0 s"],
            ["Bruno Opérateur", "4", "5 min 30 s", "0 s"],
        ]
        assert section.qualifications.rowCount() == 0

        # the CSV: the server's file for the period shown, its hours in Paris with their offset
        target = await export_csv(main, section, tmp_path, qtbot)
        assert section.status.text() == f"Export enregistré : {target}"
        assert section.period is not None
        expected = watcher.get(
            "/stats/hotline",
            params={
                "start": section.period.since.isoformat(),
                "end": section.period.until.isoformat(),
                "format": "csv",
            },
        )
        assert expected.status_code == 200, expected.text
        assert target.read_bytes() == expected.content
        rows = [r.split(";") for r in target.read_text(encoding="utf-8-sig").splitlines()]
        assert rows[0][:5] == ["heure", "reçus", "décrochés", "perdus", "décrochés_en_20s_ou_moins"]
        hour = datetime.fromisoformat(rows[1][0])
        assert hour == base.replace(minute=0, second=0, microsecond=0)
        assert rows[1][0].endswith(("+01:00", "+02:00"))
        assert rows[1][1:] == rows[2][1:] == ["10", "9", "1", "8", "80", "90", "16,6", "45", "70", ""]
        assert rows[2][0] == "total"
        assert rows[4:7] == [
            ["opérateur", "décrochés", "conversation_s", "post_appel_s"],
            ["Anne Opératrice", "5", "300", "0"],
            ["Bruno Opérateur", "4", "330", "0"],
        ]

        # the wall-board: today's figures and the live queue, coloured by the thresholds
        await activate(main)  # the save dialog had the focus
        await press(main, Qt.Key.Key_F11)
        wall = supervision.wallboard
        assert wall is not None
        assert wall.isVisible()
        tiles = wall.hotline
        assert tiles is not None
        await wait_for(lambda: tiles.today is not None, what="the wall-board's hotline row")
        assert tile(tiles, "hotline_waiting") == ("0", GREEN)
        assert tile(tiles, "hotline_longest") == ("0 s", GREEN)
        assert tile(tiles, "hotline_level") == ("80 %", GREEN)
        assert tile(tiles, "hotline_available") == ("2", GREEN)
        assert tiles.captions["hotline_available"].text() == (
            "Opérateurs disponibles (0 en appel, 0 post-appel, 0 pause, 0 hors ligne)"
        )
        assert (
            tiles.captions["hotline_level"].text() == "Décrochés en moins de 20 s aujourd'hui (objectif 80 %)"
        )

        # a caller queues: received now counts them, and they are not answered (yet): 8 of 11
        first = queue_caller(line, 25, "Dr Premier")
        await wait_for(lambda: tile(tiles, "hotline_waiting") == ("1", AMBER), what="one caller waiting")
        assert re.fullmatch(r"2[5-9] s", tile(tiles, "hotline_longest")[0]), tile(tiles, "hotline_longest")
        assert tile(tiles, "hotline_longest")[1] == AMBER  # over 20 s, under 60 s
        await wait_for(lambda: tile(tiles, "hotline_level") == ("72,7 %", AMBER), what="the level, watch")
        second, third = queue_caller(line, 65, "Dr Second"), queue_caller(line, 70, "Dr Troisième")
        await wait_for(lambda: tile(tiles, "hotline_waiting") == ("3", RED), what="three callers waiting")
        assert re.fullmatch(r"1 min 1\d s", tile(tiles, "hotline_longest")[0]), tile(tiles, "hotline_longest")
        assert tile(tiles, "hotline_longest")[1] == RED  # 60 s or more
        await wait_for(lambda: tile(tiles, "hotline_level") == ("61,5 %", RED), what="the level, alert")
        assert tile(tiles, "hotline_available") == ("2", GREEN)

        a.set("pause", pause_reason="repas")
        b.set("pause", pause_reason="formation")  # nobody available while callers wait: alert
        await wait_for(lambda: tile(tiles, "hotline_available") == ("0", RED), what="nobody available")
        assert tiles.captions["hotline_available"].text() == (
            "Opérateurs disponibles (0 en appel, 0 post-appel, 2 pause, 0 hors ligne)"
        )

        line.event(first, "lost")  # a caller hangs up: the queue and « Statistiques » follow
        await wait_for(lambda: tile(tiles, "hotline_waiting") == ("2", AMBER), what="two callers left")
        assert tile(tiles, "hotline_longest")[1] == RED
        await wait_for(lambda: figure(section, "Perdus") == ("2", ""), what="« Statistiques » live")
        assert figure(section, "Appels reçus") == ("13", "")
        assert figure(section, "Décrochés en moins de 20 s (objectif 80 %)") == ("61,5 %", RED)

        line.event(second, "lost")
        line.event(third, "lost")
        await wait_for(lambda: tile(tiles, "hotline_waiting") == ("0", GREEN), what="the queue empty")
        assert tile(tiles, "hotline_longest") == ("0 s", GREEN)
        assert tile(tiles, "hotline_available") == ("0", AMBER)  # nobody available, nobody waiting
        assert tile(tiles, "hotline_level") == ("61,5 %", RED)
        await wait_for(lambda: figure(section, "Perdus") == ("4", ""), what="the lost calls counted")
        assert figure(section, "Appels reçus") == ("13", "")
        assert figure(section, "Décrochés") == ("9", "")
        longest = figure(section, "Attente maximale")[0]  # the third caller's: 70 s and the test's time
        assert re.fullmatch(r"1 min [1-3]\d s", longest), longest

        await press(wall, Qt.Key.Key_F11)
        assert not wall.isVisible()

    async def scenario() -> None:
        main = await open_main_window(own_server.process.base_url, supervisor["username"], PASSWORD, tmp_path)
        qtbot.addWidget(main)
        try:
            await watch(main)
        finally:
            await close_main_window(main)

    try:
        run(loop, scenario(), timeout=90)
    finally:
        line.close()
