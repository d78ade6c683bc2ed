"""Screenshots of a prescription's details and of the patient files (called by
scripts/screenshots.py once the tutorial's case is sent on the demo server).

Qt events are processed by awaiting (qasync runs them), never by ``processEvents()`` from inside
this coroutine: that would run other tasks' steps inside this one and lose their wake-ups.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

STEP_TIMEOUT = 20.0


async def _save(widget: Any, out: Path, name: str) -> None:
    await asyncio.sleep(0.3)  # let the loop lay out and paint what just changed
    widget.grab().save(str(out / f"{name}.png"))
    print(f"  {out / name}.png")


async def shoot_details(main: Any, out: Path, patient_last_name: str) -> None:
    await asyncio.wait_for(_shoot(main, out, patient_last_name), STEP_TIMEOUT * 6)


async def _shoot(main: Any, out: Path, patient_last_name: str) -> None:
    from desktop.state.attachments import check_attachment
    from desktop.sync.prescription_api import PrescriptionApi
    from tests.support.details_gui import REAL_PDF

    client = main.session.client
    board = await asyncio.wait_for(client.prescriptions(), STEP_TIMEOUT)
    mine = [p for p in board if p.patient and p.patient.last_name.upper() == patient_last_name.upper()]
    prescription = max(mine, key=lambda p: p.notified_count)  # the one with resources to show
    api = PrescriptionApi(client)
    comment = {"text": "Clé chez la voisine du 2e, sonner fort", "tag": "accès"}
    await asyncio.wait_for(api.add_comment(prescription.id, comment), STEP_TIMEOUT)
    document = check_attachment("ordonnance-pansements.pdf", REAL_PDF)
    await asyncio.wait_for(api.attach(prescription.id, document), STEP_TIMEOUT)
    dialog = main.open_prescription(prescription.id)
    for _ in range(20):  # the demo's simulated professionals answer within seconds
        details = await asyncio.wait_for(dialog.load(), STEP_TIMEOUT)
        if details is not None and any(n.answer for n in details.notifications):
            break
        await asyncio.sleep(0.5)
    dialog.resize(900, 620)
    await _save(dialog, out, "20_details_horodatage")
    dialog.tabs.setCurrentWidget(dialog.resources)
    await _save(dialog, out, "21_details_ressources")
    dialog.close()
    cancelled = [p for p in mine if p.state == "cancelled"]  # the board's shot cancelled one
    other = cancelled[0] if cancelled else min(mine, key=lambda p: p.notified_count)
    if other.id != prescription.id:  # cancelled with its reason, then offered for renewal
        if other.state != "cancelled":
            await asyncio.wait_for(api.cancel(other.id, {"reason": "Patiente hospitalisée"}), STEP_TIMEOUT)
        dialog = main.open_prescription(other.id)
        await asyncio.wait_for(dialog.load(), STEP_TIMEOUT)
        dialog.resize(900, 620)
        dialog.tabs.setCurrentWidget(dialog.renew)
        dialog.renew.free_text.setPlainText("Relance : sortie d'hospitalisation demain matin")
        await _save(dialog, out, "22_details_renouveler")
        dialog.close()

    view = main.patient_files
    main.tabs.setCurrentWidget(view)
    main.resize(1100, 760)
    view.keyword.setText(patient_last_name)
    rows = await asyncio.wait_for(view.load_list(), STEP_TIMEOUT)
    await _save(main, out, "23_fiches_patients")
    await asyncio.wait_for(view.load_patient(rows[0].patient_id), STEP_TIMEOUT)
    await _save(main, out, "24_fiche_patient")
    view.setCurrentWidget(view.list_page)
    main.tabs.setCurrentIndex(0)
