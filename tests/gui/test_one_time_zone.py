"""Issue 18, item 1: every time the desktop shows is in the case's zone (overseas) or Paris's,
whatever the workstation's zone. The desktop runs here with `TZ=UTC` and with `TZ=America/Cayenne`
(the server, another process, keeps its own): an intervention typed for 09:00 Paris reads 09:00 on
the board and in the details, one for 09:00 in La Réunion reads 09:00 « heure de La Réunion », and
the board's Horodatage and the call log show Paris's time of the server's instants."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from desktop.state.board import Section
from desktop.sync.supervision_api import SupervisionApi
from desktop.ui.board.model import Column
from desktop.ui.calls.view import CallsView
from desktop.ui.prescription.details_dialog import PrescriptionDialog
from shared.validation import format_phone_national
from tests.support.board_gui import cell, changes_within, open_board
from tests.support.dispatch import Desk, parse_time, place, prescription
from tests.support.gui import close_main_window, run, wait_for
from tests.support.live import LiveServer
from tests.support.supervision_gui import api_client, column_texts, post_call
from tests.support.supervision_gui import cell as cell_text

PARIS = ZoneInfo("Europe/Paris")
REUNION = ZoneInfo("Indian/Reunion")


@pytest.fixture(params=["UTC", "America/Cayenne"])
def workstation_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    saved = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.fixture
def desk(gui_server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(gui_server)
    yield desk
    desk.close()


def _loaded(dialog: PrescriptionDialog) -> bool:
    return dialog.details is not None


def _paris(at: str, zone: ZoneInfo = PARIS, pattern: str = "%d/%m/%y %H:%M") -> str:
    return parse_time(at).astimezone(zone).strftime(pattern)


def test_times_are_the_cases_or_paris_whatever_the_workstations_zone(
    loop, qtbot, desk: Desk, gui_server: LiveServer, tmp_path: Path, workstation_zone: str
):
    assert time.strftime("%Z") != "CET"  # the desktop really runs in another zone
    operator, api = desk.staff("operator")
    lat, lon = place()
    desk.responder(lat, lon)
    patient = desk.patient(lat, lon)
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    nine = f"{day.isoformat()}T09:00:00"
    timed = {"intervention_delay_minutes": None, "intervention_at": nine}
    sent = desk.post_case(
        patient["id"],
        prescription(**timed, intervention_tz="Europe/Paris"),
        prescription(**timed, intervention_tz="Indian/Reunion", care_type="Injection"),
        client=api,
    )
    assert sent.status_code == 201, sent.text
    mainland, overseas = (p["id"] for p in sent.json()["prescriptions"])
    views = {pid: desk.get(pid, api) for pid in (mainland, overseas)}
    call = post_call(api, outcome="completed", duration_seconds=30)
    shown_day = day.strftime("%d/%m/%Y")

    async def scenario() -> None:
        main, view = await open_board(gui_server, operator["username"], tmp_path)
        qtbot.addWidget(main)
        await changes_within(5.0, lambda: cell(view, overseas, Column.STATE, Section.MINE), "the rows")
        reason = cell(view, mainland, Column.REASON) or ""
        assert f"[à partir du {shown_day} 09:00]" in reason, reason
        reason = cell(view, overseas, Column.REASON) or ""
        assert f"[à partir du {shown_day} 09:00 (heure de La Réunion)]" in reason, reason
        stamps = cell(view, mainland, Column.TIMESTAMPS) or ""
        assert stamps.startswith(f"{_paris(views[mainland]['sent_at'])} 1er Déclenchement"), stamps
        stamps = cell(view, overseas, Column.TIMESTAMPS) or ""
        assert stamps.startswith(f"{_paris(views[overseas]['sent_at'], REUNION)} 1er Déclenchement"), stamps

        for pid, zone, note in ((mainland, PARIS, ""), (overseas, REUNION, " (heure de La Réunion)")):
            dialog = main.open_prescription(pid)
            assert isinstance(dialog, PrescriptionDialog)
            await wait_for(partial(_loaded, dialog), what="the details")
            header = dialog.header.text()
            assert f"[à partir du {shown_day} 09:00{note}]" in header, header
            assert f"envoyé le {_paris(views[pid]['sent_at'], zone)}" in header, header
            first = dialog.timeline.item(dialog.timeline.count() - 1).text()
            assert first.startswith(_paris(views[pid]["sent_at"], zone)), first
            dialog.close()
        await close_main_window(main)

        client = await api_client(gui_server.process.base_url, operator["username"])
        calls = CallsView(SupervisionApi(client), None)
        qtbot.addWidget(calls)
        calls.show()
        await calls.refresh()
        numbers = column_texts(calls.log, 2)
        row = numbers.index(format_phone_national(call["remote_number"]))
        assert cell_text(calls.log, row, 0) == _paris(call["started_at"], PARIS, "%d/%m %H:%M")
        await client.aclose()

    run(loop, scenario(), timeout=60)
