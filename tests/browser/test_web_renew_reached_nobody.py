"""Issue 18, a request that reached nobody, in the professionals' web app: the professional's own
request that no one received says so (« Aucune ressource disponible », no countdown) and offers
« Renouveler » at once — no cancellation first; renewed once someone is there, it reaches them.
Both pages pass axe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import assert_accessible
from tests.support.dispatch import prescription
from tests.support.live import LiveServer, patient_body
from tests.support.web_pages import Scene, log_in


@pytest.fixture
def scene(web_server: LiveServer) -> Iterator[Scene]:
    opened = Scene.open(web_server)
    yield opened
    opened.close()


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def test_my_request_that_reached_nobody_says_so_and_is_renewed(desktop_page: Page, scene: Scene) -> None:
    page = desktop_page
    nurse = scene.nurse()
    body = patient_body(latitude=scene.lat, longitude=scene.lon)
    mine = _ok(nurse.client.post("/patients", json=body), 201)
    case = {
        "caller": {"name": nurse.name},
        "requester": {"user_id": nurse.id},
        "patient_id": mine["id"],
        "prescriptions": [prescription(profession_code="70", care_type="Kiné respiratoire")],
    }
    line = _ok(nurse.client.post("/cases", json=case), 201)["prescriptions"][0]
    pid = int(line["id"])
    assert line["notified_count"] == 0  # no kiné registered here
    assert _ok(nurse.client.get(f"/prescriptions/{pid}"))["no_recipient"] is True

    log_in(page, nurse.profile["username"])
    page.goto(f"/pro/declenchements/{pid}")
    state = page.locator("#etat-declenchement")
    expect(state).to_contain_text("Aucune ressource disponible")
    expect(state).not_to_contain_text("Temps restant")  # no countdown for a request nobody received
    renew = page.locator("form", has=page.get_by_role("heading", name="Renouveler le Déclenchement"))
    expect(renew).to_be_visible()
    expect(page.get_by_role("button", name="Annuler le déclenchement")).to_be_visible()  # still pending
    assert_accessible(page)

    kine = scene.desk.responder(scene.lat, scene.lon, profession_code="70")  # one arrives nearby
    renew.get_by_label("Texte libre (complément d'information)").fill("Élargie : toujours personne ?")
    renew.get_by_label("Délai de réponse attendu").select_option("30")
    renew.get_by_role("button", name="Renouveler").click()

    expect(page.locator("main")).to_contain_text("Déclenchement renouvelé.")
    expect(page.locator("main p.hint")).to_contain_text("2e déclenchement")
    expect(page.locator("main")).to_contain_text("Élargie : toujours personne ?")  # the text kept
    expect(state).to_contain_text("1 intervenant(s) sollicité(s)")
    expect(state).not_to_contain_text("Aucune ressource disponible")
    expect(page.get_by_role("heading", name="Renouveler le Déclenchement")).to_have_count(0)
    assert_accessible(page)
    view = _ok(nurse.client.get(f"/prescriptions/{pid}"))
    assert (view["round"], view["state"], view["no_recipient"]) == (2, "pending", False)
    assert view["response_delay_minutes"] == 30
    assert pid in kine.offer_ids()
