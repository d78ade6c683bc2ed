"""Connected responders learn of offers, and of offers taken by someone else, through a WebSocket."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.support.live import LiveServer, patient_body

_places = itertools.count()


def _connect(server: LiveServer, token: str) -> ClientConnection:
    url = server.process.base_url.replace("http://", "ws://") + "/api/v1/me/offers/events"
    return connect(url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=10)


def _next(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=10))
    return message


def _token(client: Any) -> str:
    return str(client.headers["Authorization"].split()[1])


def test_offer_then_taken_reach_connected_responders(server: LiveServer) -> None:
    lat = -35.0 + next(_places)  # each test its own place, far from the others
    first, first_client = server.professional(latitude=lat, longitude=140.0, profession_code="94")
    _second, second_client = server.professional(latitude=lat, longitude=140.0, profession_code="94")
    _, operator = server.user("operator")
    patient = operator.post("/patients", json=patient_body(latitude=lat, longitude=140.0)).json()
    with (
        _connect(server, _token(first_client)) as ws_first,
        _connect(server, _token(second_client)) as ws_second,
    ):
        sent = operator.post(
            "/cases",
            json={
                "caller": {"name": "Dr Appelant"},
                "requester": {"rpps": first["rpps"]},
                "patient_id": patient["id"],
                "prescriptions": [
                    {
                        "profession_code": "94",
                        "care_type": "Bilan ergothérapique",
                        "care_mode": "visit",
                        "intervention_delay_minutes": 60,
                        "response_delay_minutes": 30,
                        "comment": "Aménagement du domicile",
                    }
                ],
            },
        )
        assert sent.status_code == 201
        prescription_id = sent.json()["prescriptions"][0]["id"]
        for ws in (ws_first, ws_second):
            offer = _next(ws)
            assert offer["type"] == "offer"
            assert offer["prescription_id"] == prescription_id
            assert offer["usual"] is False
            assert patient["last_name"] not in json.dumps(offer)
        assert first_client.post(f"/prescriptions/{prescription_id}/accept").status_code == 200
        assert _next(ws_second) == {
            "type": "offer_closed",
            "prescription_id": prescription_id,
            "round": 1,
            "answer": "taken",
        }
    # Reconnecting lists only what is still open: nothing here.
    with _connect(server, _token(second_client)) as ws_again, pytest.raises(TimeoutError):
        ws_again.recv(timeout=1.5)


def test_open_offers_are_sent_on_connection(server: LiveServer) -> None:
    lat = -35.0 + next(_places)
    pro, pro_client = server.professional(latitude=lat, longitude=150.0, profession_code="94")
    _, operator = server.user("operator")
    patient = operator.post("/patients", json=patient_body(latitude=lat, longitude=150.0)).json()
    sent = operator.post(
        "/cases",
        json={
            "caller": {"name": "Dr Appelant"},
            "requester": {"rpps": pro["rpps"]},
            "patient_id": patient["id"],
            "prescriptions": [
                {
                    "profession_code": "94",
                    "care_type": "Bilan",
                    "care_mode": "office",
                    "intervention_delay_minutes": 60,
                    "response_delay_minutes": 30,
                    "comment": "Bilan",
                }
            ],
        },
    )
    prescription_id = sent.json()["prescriptions"][0]["id"]
    with _connect(server, _token(pro_client)) as ws:
        assert _next(ws)["prescription_id"] == prescription_id


def test_staff_are_refused(server: LiveServer) -> None:
    _, operator = server.user("operator")
    with _connect(server, _token(operator)) as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4403, "Accès refusé pour votre rôle")
