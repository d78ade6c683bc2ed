"""« Mes Déclenchements » over HTTP (SQLite and PostgreSQL): a professional's request sent through
the page, expired after its response delay, then renewed (« Renouveler le Déclenchement »)."""

from __future__ import annotations

import html
import re
import uuid

from tests.support.dispatch import Desk, place
from tests.support.live import LiveServer
from tests.support.web_pages import csrf_of, web_login


def test_a_request_sent_from_the_page_expires_and_is_renewed(clock_server: LiveServer) -> None:
    desk = Desk.open(clock_server)
    lat, lon = place()
    try:
        requester = desk.responder(lat, lon, via_api=True)
        patient = desk.patient(lat, lon)
        desk.usual(patient["id"], requester)  # a patient of theirs
        client = web_login(clock_server.process.base_url, requester.profile["username"])
        form = client.get(f"/pro/declenchements/nouveau?patient={patient['id']}")
        assert form.status_code == 200
        assert f'<option value="{patient["id"]}" selected>' in form.text
        fields = {
            "csrf": csrf_of(form.text),
            "cle": str(uuid.uuid4()),
            "blocs": "1",
            "patient": str(patient["id"]),
            "p0_profession": "70",
            "p0_soins": "Kiné respiratoire",
            "p0_mode": "visit",
            "p0_delai_intervention": "0",
            "p0_jours": "3",
            "p0_passages": "1",
            "p0_delai_reponse": "30",
            "p0_commentaire": "Encombrement bronchique",
            "action": "envoyer",
        }
        sent = client.post("/pro/declenchements/nouveau", data=fields)
        assert sent.status_code == 200, sent.text
        assert "Aucune ressource disponible" in sent.text
        again = client.post("/pro/declenchements/nouveau", data=fields)  # the same key: sent once
        assert again.status_code == 200
        found = re.search(r'href="/pro/declenchements/(\d+)"', sent.text)
        assert found
        prescription_id = int(found.group(1))
        assert re.findall(r'href="/pro/declenchements/(\d+)"', again.text) == [str(prescription_id)]
        clock_server.advance(31 * 60)
        client = web_login(clock_server.process.base_url, requester.profile["username"])
        page = client.get(f"/pro/declenchements/{prescription_id}")
        assert "Annulé : aucun intervenant n'a accepté la demande dans le délai imparti" in html.unescape(
            page.text
        )
        assert "Renouveler le Déclenchement" in page.text
        renewed = client.post(
            f"/pro/declenchements/{prescription_id}/renouveler",
            data={
                "csrf": csrf_of(page.text),
                "texte": "Toujours encombré",
                "delai_reponse": "60",
                "delai_intervention": "0",
            },
        )
        assert renewed.status_code == 303
        assert renewed.headers["location"] == f"/pro/declenchements/{prescription_id}?ok=renewed"
        view = desk.get(prescription_id)
        assert view["state"] == "pending"
        assert view["round"] == 2
        assert "[2e Déclenchement] Toujours encombré" in view["comment"]
    finally:
        desk.close()
