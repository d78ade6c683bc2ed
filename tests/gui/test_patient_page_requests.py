"""Issue 18 « Also seen »: the patient page's « Horodatage » shows a request accepted (by phone
through the hotline), another cancelled, one renewed (« 2e Déclenchement »), from a real server,
with times in Europe/Paris whatever the workstation's zone."""

from __future__ import annotations

from pydantic import TypeAdapter

from desktop.state.times import PLATFORM_ZONE, stamp
from desktop.sync.patient_files_api import PatientFile
from desktop.ui.patients.patient_page import PatientPage
from shared.schemas.patients import PatientOut, TimelineEntry
from tests.support.dispatch import Desk, place


def test_the_horodatage_shows_acceptance_cancellation_and_renewal(qtbot, gui_server, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    desk = Desk.open(gui_server)
    try:
        lat, lon = place()
        (responder,) = desk.responders(1, lat, lon)
        pid = desk.patient(lat, lon)["id"]
        accepted, cancelled, renewed = (desk.send_one(pid)["id"] for _ in range(3))
        phoned = {"on_behalf_of": responder.id, "channel": "phone"}
        assert desk.operator.post(f"/prescriptions/{accepted}/accept", json=phoned).status_code == 200
        reason = {"reason": "Patient hospitalisé"}
        assert desk.operator.post(f"/prescriptions/{cancelled}/cancel", json=reason).status_code == 200
        assert desk.operator.post(f"/prescriptions/{renewed}/cancel", json=reason).status_code == 200
        renewal = {"response_delay_minutes": 60}
        assert desk.operator.post(f"/prescriptions/{renewed}/renew", json=renewal).status_code == 200
        patient = PatientOut.model_validate(desk.operator.get(f"/patients/{pid}").json())
        timeline = TypeAdapter(list[TimelineEntry]).validate_python(
            desk.operator.get(f"/patients/{pid}/timeline").json()
        )
    finally:
        desk.close()

    page = PatientPage()
    qtbot.addWidget(page)
    page.show_file(PatientFile(patient, timeline))
    tree = page.timeline
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    rows = [tuple(item.text(c) for c in range(3)) for item in items if item is not None]
    assert len(rows) == len(items)
    by_label = {label: (when, by) for when, label, by in rows}
    acceptance = [label for label in by_label if label.startswith(f"Acceptation par {responder.name}")]
    assert len(acceptance) == 1
    assert "par téléphone via la centrale" in acceptance[0]
    assert by_label[acceptance[0]][1] == responder.name
    cancellations = [label for label in by_label if "annulé par" in label]
    assert sum(1 for label in cancellations if label.endswith("Motif : Patient hospitalisé")) == 2
    assert sum(1 for label in by_label if label.startswith("2e Déclenchement #")) == 1
    for entry in timeline:  # every time in Paris, not the workstation's UTC
        if entry.kind.startswith("request_"):
            assert (stamp(entry.at, PLATFORM_ZONE), entry.label, entry.by or "") in rows
