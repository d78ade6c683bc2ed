"""Issue 18, item 3 (server gap): « Renouveler » of a request that reached nobody widens the
pending request itself — another delay, or « Sans restriction de réseau » — with no cancellation
on the way (no « Annulé » in its history, no cancel reason)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.ui.prescription.details_dialog import PrescriptionDialog
from tests.support.board_gui import open_board
from tests.support.dispatch import Desk, north, place, prescription
from tests.support.gui import close_main_window, run, wait_for
from tests.support.live import LiveServer


@pytest.fixture
def desk(gui_server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(gui_server)
    yield desk
    desk.close()


def test_renew_lifts_the_network_of_a_request_that_reached_nobody(
    loop, qtbot, desk: Desk, gui_server: LiveServer, tmp_path: Path
):
    operator, api = desk.staff("operator")
    lat, lon = place()
    network = desk.network()  # nobody near belongs to it
    outsider = desk.responder(*north(lat, lon, 1))
    patient = desk.patient(lat, lon)

    async def scenario() -> None:
        main, _view = await open_board(gui_server, operator["username"], tmp_path)
        qtbot.addWidget(main)
        sent = desk.post_case(patient["id"], prescription(network_id=network), client=api)
        assert sent.status_code == 201, sent.text
        pid = sent.json()["prescriptions"][0]["id"]
        assert desk.get(pid, api)["no_recipient"] is True
        seq = desk.feed_seq()

        details = main.open_prescription(pid)
        assert isinstance(details, PrescriptionDialog)
        await wait_for(lambda: details.details is not None, what="the details")
        renew = details.renew
        assert renew.button.isEnabled()
        assert not renew.without_network.isHidden()
        assert "sans la restriction de réseau" in renew.state.text()
        renew.without_network.setChecked(True)
        assert await renew.submit()

        after = desk.get(pid, api)
        assert (after["round"], after["network_id"], after["cancel_reason"]) == (2, None, None)
        assert (after["notified_count"], after["no_recipient"]) == (1, False)
        assert desk.notified(pid, 2) == {outsider.id}
        assert "prescription_cancelled" not in desk.event_types(seq, pid)
        assert "Annul" not in renew.message.text()
        await wait_for(
            lambda: details.details is not None and details.details.prescription.round == 2,
            what="the 2nd round",
        )
        assert renew.without_network.isHidden()  # no restriction left to lift
        assert not renew.button.isEnabled()  # pending with a recipient: nothing to renew
        details.close()
        await close_main_window(main)

    run(loop, scenario(), timeout=60)
