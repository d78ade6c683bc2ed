"""Issue 18, « also seen »: the compte rendu (CR) of a finished request is shown in its details and
in « Horodatage », and the tray tells the operator when a professional comments or writes a CR on
one of their requests (not when they comment themselves)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.state.tray_notices import NoticeKind
from desktop.ui.prescription.details_dialog import PrescriptionDialog
from shared.domain import PrescriptionState
from tests.support.board_gui import open_board
from tests.support.dispatch import Desk, place, prescription
from tests.support.gui import close_main_window, run, wait_for
from tests.support.live import LiveServer


@pytest.fixture
def desk(gui_server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(gui_server)
    yield desk
    desk.close()


def test_the_cr_is_shown_and_the_tray_tells_of_comments_and_reports(
    loop, qtbot, desk: Desk, gui_server: LiveServer, tmp_path: Path
):
    operator, api = desk.staff("operator")
    lat, lon = place()
    nurse = desk.responder(lat, lon)
    patient = desk.patient(lat, lon)

    async def scenario() -> None:
        main, _view = await open_board(gui_server, operator["username"], tmp_path)
        qtbot.addWidget(main)
        sent = desk.post_case(patient["id"], prescription(), client=api)
        assert sent.status_code == 201, sent.text
        pid = sent.json()["prescriptions"][0]["id"]
        number = sent.json()["number"]
        assert main.supervision is not None
        notifier = main.supervision.notifier

        def notices(kind: NoticeKind) -> list[str]:
            return [
                f"{n.title} | {n.message}"
                for n in notifier.shown
                if n.prescription_id == pid and n.kind is kind
            ]

        mine = api.post(f"/prescriptions/{pid}/comments", json={"text": "Je rappelle la famille"})
        assert mine.status_code == 201, mine.text
        for action, payload in (("accept", None), ("start", None)):
            answer = nurse.client.post(f"/prescriptions/{pid}/{action}", json=payload)
            assert answer.status_code == 200, answer.text
        commented = nurse.client.post(f"/prescriptions/{pid}/comments", json={"text": "Digicode faux"})
        assert commented.status_code == 201, commented.text
        await wait_for(lambda: notices(NoticeKind.COMMENTED), what="the comment's notice")
        assert notices(NoticeKind.COMMENTED) == [
            f"Fiche #{number} : nouveau commentaire | Infirmier — Pansement : un commentaire a été ajouté "
            "à la demande"
        ]  # one notice: the operator's own comment gave none

        finished = nurse.client.post(
            f"/prescriptions/{pid}/finish", json={"report": "Plaie propre, revoir J+2"}
        )
        assert finished.status_code == 200, finished.text
        await wait_for(lambda: notices(NoticeKind.REPORTED), what="the CR's notice")
        assert notices(NoticeKind.REPORTED)[0].startswith(f"Fiche #{number} : compte rendu")

        details = main.open_prescription(pid)
        assert isinstance(details, PrescriptionDialog)
        await wait_for(
            lambda: (
                details.details is not None
                and details.details.prescription.state is PrescriptionState.FINISHED
            ),
            what="the finished details",
        )
        assert "Compte rendu (CR) :</b> Plaie propre, revoir J+2" in details.header.text()
        timeline = [details.timeline.item(i).text() for i in range(details.timeline.count())]
        assert any(line.endswith(f"CR de {nurse.name} : Plaie propre, revoir J+2") for line in timeline), (
            timeline
        )
        details.close()
        await close_main_window(main)

    run(loop, scenario(), timeout=60)
