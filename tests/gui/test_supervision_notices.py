"""Desktop notifications against a real server: a request accepted by a responder gives the
operator who sent it a notice (offscreen there is no system tray: the notice goes to the status
bar, through the same `TrayNotifier.show`); the switch turns it off and is kept in the settings;
an incident on a supervisor's network notifies them, not another network's supervisor."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QSystemTrayIcon

from desktop.settings import Settings
from desktop.state.tray_notices import NoticeKind
from desktop.ui import tasks
from tests.integration.conftest import start_live
from tests.support.dispatch import Desk, place, prescription
from tests.support.gui import close_main_window, open_main_window, run, wait_for
from tests.support.live import PASSWORD, LiveServer


@pytest.fixture(scope="module")
def clock_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of this module's own: its clock moves forward (a request expires)."""
    yield from start_live("sqlite", tmp_path_factory.mktemp("notices-clock"))


def test_an_accepted_request_notifies_its_sender_and_the_switch_is_kept(
    loop, qtbot, gui_server, tmp_path: Path
):
    desk = Desk.open(gui_server)
    lat, lon = place()
    responder = desk.responder(lat, lon)
    patient = desk.patient(lat, lon)
    sender = desk.operator
    username = sender.auth.username  # type: ignore[union-attr]
    _other, someone_else = desk.staff("operator")

    def send(client) -> tuple[str, int]:
        response = desk.post_case(patient["id"], prescription(), client=client)
        assert response.status_code == 201, response.text
        return response.json()["number"], response.json()["prescriptions"][0]["id"]

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, username, PASSWORD, tmp_path)
        qtbot.addWidget(main)
        supervision = main.supervision
        assert supervision is not None
        notifier = supervision.notifier
        assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen
        assert notifier.tray is None
        assert [a.text() for a in notifier.menu.actions()] == [k.label for k in NoticeKind]

        theirs_number, theirs = send(someone_else)  # another operator's request: no notice
        number, mine = send(sender)
        assert responder.client.post(f"/prescriptions/{theirs}/accept").status_code == 200
        assert responder.client.post(f"/prescriptions/{mine}/accept").status_code == 200
        notice = await wait_for(lambda: notifier.shown[-1] if notifier.shown else None, what="the notice")
        assert notice.kind is NoticeKind.ACCEPTED
        assert notice.prescription_id == mine
        assert notice.title == f"Fiche #{number} : demande acceptée"
        assert notice.message == f"Infirmier — Pansement, acceptée par {responder.name}"
        assert main.statusBar().currentMessage() == f"{notice.title} — {notice.message}"
        opened: list[int] = []
        main.open_prescription = opened.append  # type: ignore[method-assign,assignment]  # details: not under test
        notifier.open_last()  # what a click on the tray's message does
        assert opened == [mine]
        assert all(n.prescription_id != theirs for n in notifier.shown)
        assert theirs_number != number

        notifier.switches[NoticeKind.ACCEPTED].setChecked(False)  # « Demande acceptée » off
        await wait_for(lambda: Settings.load().notifications_off == "accepted", what="the saved switch")
        _number, again = send(sender)
        assert responder.client.post(f"/prescriptions/{again}/accept").status_code == 200
        await wait_for(
            lambda: main.session.follower.position >= desk.feed_seq(), what="the feed read to its end"
        )
        await tasks.settle()  # every notice being decided is done
        assert [n.prescription_id for n in notifier.shown] == [mine]
        await close_main_window(main)

    try:
        run(loop, scenario(), timeout=40)
    finally:
        desk.close()


def test_a_request_expired_with_nobody_notifies_its_sender(
    loop, qtbot, clock_live: LiveServer, tmp_path: Path
):
    desk = Desk.open(clock_live)
    lat, lon = place()
    desk.responder(lat, lon)  # notified, never answers
    patient = desk.patient(lat, lon)
    username = desk.operator.auth.username  # type: ignore[union-attr]

    async def scenario() -> None:
        main = await open_main_window(clock_live.process.base_url, username, PASSWORD, tmp_path)
        qtbot.addWidget(main)
        assert main.supervision is not None
        notifier = main.supervision.notifier
        response = desk.post_case(patient["id"], prescription(response_delay_minutes=30))
        assert response.status_code == 201, response.text
        number, sent = response.json()["number"], response.json()["prescriptions"][0]
        assert sent["notified_count"] == 1
        desk.advance(31 * 60)  # the response delay passes with nobody accepting
        notice = await wait_for(lambda: notifier.shown[-1] if notifier.shown else None, what="the notice")
        assert notice.kind is NoticeKind.EXPIRED
        assert notice.prescription_id == sent["id"]
        assert notice.title == f"Fiche #{number} : demande expirée"
        assert notice.message == "Infirmier — Pansement : aucun intervenant n'a accepté dans le délai"
        await close_main_window(main)

    try:
        run(loop, scenario(), timeout=40)
    finally:
        desk.close()


def test_an_incident_notifies_the_supervisors_of_its_network_only(loop, qtbot, gui_server, tmp_path: Path):
    desk = Desk.open(gui_server)
    ours, theirs = desk.network(), desk.network()
    supervisor, _ = desk.staff("supervisor", [ours])
    _operator, reporter = desk.staff("operator", [ours])
    outsider, _ = desk.staff("supervisor", [theirs])

    async def scenario() -> None:
        watching = await open_main_window(
            gui_server.process.base_url, supervisor["username"], PASSWORD, tmp_path / "a"
        )
        other = await open_main_window(
            gui_server.process.base_url, outsider["username"], PASSWORD, tmp_path / "b"
        )
        qtbot.addWidget(watching)
        qtbot.addWidget(other)
        response = reporter.post("/incidents", json={"text": "Patient introuvable à l'adresse indiquée"})
        assert response.status_code == 201, response.text
        assert watching.supervision is not None
        assert other.supervision is not None
        notifier = watching.supervision.notifier
        notice = await wait_for(lambda: notifier.shown[-1] if notifier.shown else None, what="the notice")
        assert notice.kind is NoticeKind.INCIDENT
        assert notice.incident_id == response.json()["id"]
        assert notice.message == "Patient introuvable à l'adresse indiquée"
        await wait_for(lambda: other.session.follower.position >= desk.feed_seq(), what="the other's feed")
        await tasks.settle()
        assert other.supervision.notifier.shown == []
        await close_main_window(watching)
        await close_main_window(other)

    try:
        run(loop, scenario(), timeout=40)
    finally:
        desk.close()
