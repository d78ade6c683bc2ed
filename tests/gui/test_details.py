"""A prescription's details window against a real server: cancel (a reason is mandatory), renew
(the second round), documents (refusals before sending, a real PDF attached, listed and opened),
a tagged comment, an incident, and live refresh when another client acts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl

from desktop.sync.prescription_api import PrescriptionDetails
from desktop.ui.main_window import MainWindow
from desktop.ui.prescription.details_dialog import PrescriptionDialog
from shared.domain import PrescriptionState
from tests.support.details_gui import REAL_PDF, Scene, scene
from tests.support.gui import close_main_window, open_main_window, run, wait_for
from tests.support.live import LiveServer


async def _details(main: MainWindow, scene_: Scene) -> PrescriptionDialog:
    dialog = main.open_prescription(scene_.prescription_id)
    assert isinstance(dialog, PrescriptionDialog)
    await wait_for(lambda: dialog.details is not None, what="the details")
    assert main.open_prescription(scene_.prescription_id) is dialog  # one window per prescription
    return dialog


def _shown(dialog: PrescriptionDialog) -> PrescriptionDetails:
    assert dialog.details is not None
    return dialog.details


def _lines(widget) -> list[str]:
    return [widget.item(i).text() for i in range(widget.count())]


def test_cancel_needs_a_reason_then_renew_makes_the_second_round(
    loop, qtbot, gui_server: LiveServer, tmp_path
):
    with scene(gui_server) as s:

        async def body() -> None:
            main = await open_main_window(gui_server.process.base_url, s.username, s.password, tmp_path)
            qtbot.addWidget(main)
            dialog = await _details(main, s)
            assert f"Fiche #{s.case_number}" in dialog.header.text()
            assert s.patient["last_name"] in dialog.header.text()
            resources = _lines(dialog.resources)
            assert len(resources) == 2
            assert {r.name for r in s.responders} == {line.split(" — ")[1] for line in resources}
            assert all(line.endswith("sans réponse") for line in resources)
            assert any(
                "1er Déclenchement — 2 ressource(s) déclenchée(s)" in t for t in _lines(dialog.timeline)
            )

            dialog.tabs.setCurrentWidget(dialog.cancel)
            assert not dialog.renew.button.isEnabled()  # a live request is not renewed
            dialog.cancel.button.click()
            await wait_for(lambda: dialog.cancel.reason_error.isVisible(), what="the reason's message")
            assert dialog.cancel.reason_error.text() == "Le motif d'annulation est obligatoire"
            assert s.prescription()["state"] == "pending"  # nothing was sent

            dialog.cancel.reason.setPlainText("Patient hospitalisé ce matin")
            assert not dialog.cancel.reason_error.isVisible()  # typing clears the message
            assert await dialog.cancel.submit()
            assert s.prescription()["state"] == "cancelled"
            assert s.prescription()["cancel_reason"] == "Patient hospitalisé ce matin"
            await wait_for(
                lambda: _shown(dialog).prescription.state is PrescriptionState.CANCELLED, what="the reload"
            )
            assert any("Motif : Patient hospitalisé ce matin" in t for t in _lines(dialog.timeline))
            assert not dialog.cancel.button.isEnabled()

            renew = dialog.renew
            assert renew.button.isEnabled()
            assert s.patient["last_name"] in renew.patient.text()
            assert renew.previous.text() == "Pansement simple au domicile, patiente autonome"
            assert renew.response_delay.currentData() == "60"
            renew.response_delay.setCurrentIndex(renew.response_delay.findData("30"))
            renew.intervention_delay.setCurrentIndex(renew.intervention_delay.findData("240"))
            renew.free_text.setPlainText("Relance : sortie d'hospitalisation")
            renew.button.click()
            await wait_for(lambda: s.prescription()["round"] == 2, what="the second round on the server")
            served = s.prescription()
            assert (served["state"], served["response_delay_minutes"]) == ("pending", 30)
            assert served["intervention_delay_minutes"] == 240
            assert served["comment"].endswith("[2e Déclenchement] Relance : sortie d'hospitalisation")
            await wait_for(lambda: _shown(dialog).prescription.round == 2, what="the renewed details")
            assert renew.message.text() == "2e Déclenchement envoyé — 2 ressource(s) déclenchée(s)"
            timeline = _lines(dialog.timeline)
            assert any("2e Déclenchement — 2 ressource(s)" in t for t in timeline)
            assert any("1er déclenchement annulé" in t for t in timeline)
            assert sum("2e déclenchement" in line for line in _lines(dialog.resources)) == 2
            dialog.close()
            await close_main_window(main)

        run(loop, body())


def test_a_cancel_the_server_refuses_shows_its_message_and_keeps_the_reason(
    loop, qtbot, gui_server: LiveServer, tmp_path
):
    """Another client cancelled it first: the server's refusal is shown, the typed reason kept."""
    with scene(gui_server, responders=1) as s:

        async def body() -> None:
            main = await open_main_window(gui_server.process.base_url, s.username, s.password, tmp_path)
            qtbot.addWidget(main)
            dialog = await _details(main, s)
            dialog.tabs.setCurrentWidget(dialog.cancel)
            dialog.cancel.reason.setPlainText("Doublon de la fiche du matin")
            other = s.operator.post(f"/prescriptions/{s.prescription_id}/cancel", json={"reason": "Erreur"})
            assert other.status_code == 200, other.text
            assert not await dialog.cancel.submit()  # the window had not reloaded yet: the server says no
            assert dialog.cancel.message.isVisible()
            assert "Cette demande a été annulée" in dialog.cancel.message.text()
            assert dialog.cancel.reason.toPlainText() == "Doublon de la fiche du matin"
            assert s.prescription()["cancel_reason"] == "Erreur"
            dialog.close()
            await close_main_window(main)

        run(loop, body())


def test_documents_refused_before_sending_then_a_real_pdf(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    big = tmp_path / "scanner.pdf"
    big.write_bytes(REAL_PDF + b"0" * (2 * 1024 * 1024))
    fake = tmp_path / "ordonnance.pdf"
    fake.write_bytes(b"MZ\x90\x00 pas un PDF")
    real = tmp_path / "compte-rendu.pdf"
    real.write_bytes(REAL_PDF)
    with scene(gui_server, responders=0) as s:

        async def body() -> None:
            main = await open_main_window(gui_server.process.base_url, s.username, s.password, tmp_path)
            qtbot.addWidget(main)
            dialog = await _details(main, s)
            documents = dialog.documents
            dialog.tabs.setCurrentWidget(documents)
            assert _lines(dialog.resources) == ["Aucune ressource disponible"]

            assert not await documents.attach_file(big)
            assert documents.message.isVisible()
            assert documents.message.text() == (
                "« scanner.pdf » refusé : Limitation à 2 Mo par fichier (2,0 Mo)"
            )
            assert not await documents.attach_file(fake)
            assert documents.message.text() == (
                "« ordonnance.pdf » refusé : Seuls les fichiers JPG, PNG et PDF sont acceptés"
            )
            assert s.get(f"/prescriptions/{s.prescription_id}/documents") == []  # nothing was sent

            assert await documents.attach_file(real)
            assert documents.message.text() == "Document ajouté : compte-rendu.pdf"
            stored = s.get(f"/prescriptions/{s.prescription_id}/documents")
            assert [d["filename"] for d in stored] == ["compte-rendu.pdf"]
            await wait_for(lambda: documents.list.count() == 1, what="the document listed")
            assert "compte-rendu.pdf" in documents.list.item(0).text()
            assert dialog.tabs.tabText(3) == "Documents (1)"
            assert any("Document ajouté par" in t for t in _lines(dialog.timeline))

            opened: list[QUrl] = []
            documents.open_url = opened.append
            path = await documents.open_document(stored[0]["id"], stored[0]["filename"])
            assert path is not None
            assert path.read_bytes() == REAL_PDF
            assert opened == [QUrl.fromLocalFile(str(path))]
            dialog.close()
            assert not path.exists()  # the temporary copy goes with the window
            await close_main_window(main)

        run(loop, body())


def test_tagged_comment_incident_and_live_refresh(loop, qtbot, gui_server: LiveServer, tmp_path: Path):
    with scene(gui_server, responders=1) as s:

        async def body() -> None:
            main = await open_main_window(gui_server.process.base_url, s.username, s.password, tmp_path)
            qtbot.addWidget(main)
            dialog = await _details(main, s)
            comments = dialog.comments
            dialog.tabs.setCurrentWidget(comments)
            comments.tag.setText("suivi")
            assert not await comments.submit()  # no text
            assert comments.text_error.text() == "Le texte est obligatoire"
            comments.text.setText("Famille prévenue, clé chez la voisine")
            assert await comments.submit()
            served = s.get(f"/prescriptions/{s.prescription_id}/comments")
            assert [(c["text"], c["tag"]) for c in served] == [
                ("Famille prévenue, clé chez la voisine", "suivi")
            ]
            await wait_for(lambda: "[suivi]" in comments.list.item(0).text(), what="the comment listed")
            assert (comments.text.text(), comments.tag.text()) == ("", "")

            incident = dialog.incident
            dialog.tabs.setCurrentWidget(incident)
            assert not await incident.submit()
            assert incident.text_error.text() == "Le texte est obligatoire"
            incident.text.setPlainText("Intervenant injoignable au numéro donné")
            assert await incident.submit()
            reported = s.get("/incidents", prescription_id=s.prescription_id)
            assert [i["text"] for i in reported] == ["Intervenant injoignable au numéro donné"]
            await wait_for(lambda: "Intervenant injoignable" in incident.reported.text(), what="the incident")

            responder = s.responders[0]
            accepted = responder.client.post(f"/prescriptions/{s.prescription_id}/accept")
            assert accepted.status_code == 200, accepted.text
            await wait_for(lambda: "Accepté par" in dialog.header.text(), what="the live refresh")
            accepted_by = _shown(dialog).prescription.accepted_by
            assert accepted_by is not None
            assert accepted_by.name == responder.name
            assert any(line.endswith(f"acceptation par {responder.name}") for line in _lines(dialog.timeline))
            assert "a accepté" in _lines(dialog.resources)[0]
            dialog.close()
            await close_main_window(main)

        run(loop, body())


def test_the_acceptors_passages_and_reports_reach_the_details_live(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    """The hotline sees the care loop of the professional's web app (issue 15) in « Horodatage »."""
    with scene(gui_server, responders=1) as s:

        async def body() -> None:
            main = await open_main_window(gui_server.process.base_url, s.username, s.password, tmp_path)
            qtbot.addWidget(main)
            dialog = await _details(main, s)
            nurse = s.responders[0]
            for action, payload in (
                ("accept", None),
                ("start", None),
                ("visits", {"note": "plaie propre"}),
                ("reports", {"text": "Cicatrisation en cours"}),
            ):
                answer = nurse.client.post(f"/prescriptions/{s.prescription_id}/{action}", json=payload)
                assert answer.status_code in (200, 201), answer.text
            report = f"CR de {nurse.name} : Cicatrisation en cours"
            shown = lambda: any(line.endswith(report) for line in _lines(dialog.timeline))  # noqa: E731
            await wait_for(shown, what="the CR")
            assert any(f"par {nurse.name} : plaie propre" in line for line in _lines(dialog.timeline))
            dialog.close()
            await close_main_window(main)

        run(loop, body())
