"""The notification planner end to end, through a real server process on SQLite and PostgreSQL: each
event of the change feed reaches the right people on the right channels — the push POSTs are the
real encrypted ones, decrypted by the push-service stand-in with the browser's keys; SMS go to the
stand-in of Brevo's API — and what is not sent is in the log with its reason."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.integration.conftest import start_live
from tests.support.live import LiveServer, patient_body
from tests.support.polling import wait_until
from tests.support.push_service import PushService, Received, push_service
from tests.support.sms_provider import API_KEY, SmsProvider, sms_provider


@dataclass
class World:
    server: LiveServer
    push: PushService
    sms: SmsProvider


@dataclass
class Pro:
    profile: dict[str, Any]
    client: httpx.Client
    endpoint: str


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """No background scheduler: the test clock moves time; the commits wake the notifier."""
    with push_service() as push, sms_provider() as sms:
        env = {
            "CENTRALE_SCHEDULER_INTERVAL": "0",
            "CENTRALE_SMS_PROVIDER": "brevo",
            "CENTRALE_SMS_API_URL": sms.url,
            "CENTRALE_SMS_API_KEY": API_KEY,
            "CENTRALE_PUBLIC_URL": "https://centrale.test",
        }
        directory = tmp_path_factory.mktemp(f"planner-{request.param}")
        for server in start_live(request.param, directory, **env):
            push.expected_public_key = server.admin().get("/push/public-key").json()["public_key"]
            yield World(server, push, sms)


_places = itertools.count()


def _place() -> tuple[float, float]:
    # Each test its own place, 40 km from the others (radius 10 km).
    return 46.1, -0.9 + 0.5 * next(_places)


def _pro(world: World, lat: float, lon: float, profession: str = "91", **overrides: Any) -> Pro:
    profile, client = world.server.professional(
        latitude=lat, longitude=lon, profession_code=profession, **overrides
    )
    subscription = world.push.subscribe()
    created = client.post("/me/push-subscriptions", json=subscription)
    assert created.status_code == 201, created.text
    return Pro(profile, client, subscription["endpoint"])


def _pushes(world: World, pro: Pro, title: str, count: int = 1, timeout: float = 10) -> list[Received]:
    """The pushes titled `title` this pro's browser received, once `count` arrived (or timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [r for r in world.push.for_token(pro.endpoint) if r.payload["title"] == title]
        if len(found) >= count or time.monotonic() > deadline:
            assert world.push.rejected == []
            return found
        time.sleep(0.02)


def _send_case(
    world: World, lat: float, lon: float, requester: Pro, **prescription: Any
) -> tuple[int, dict[str, Any]]:
    _, operator = world.server.user("operator")
    body = patient_body(latitude=lat, longitude=lon)
    patient = operator.post("/patients", json=body)
    assert patient.status_code == 201, patient.text
    usual = prescription.pop("usual", None)
    if usual is not None:
        declared = operator.put(
            f"/patients/{patient.json()['id']}/usual-professionals",
            json=[{"profession_code": "91", "rpps": usual.profile["rpps"]}],
        )
        assert declared.status_code == 200, declared.text
    case = {
        "caller": {"name": "Dr Appelant"},
        "requester": {"rpps": requester.profile["rpps"]},
        "patient_id": patient.json()["id"],
        "prescriptions": [
            {
                "profession_code": "91",
                "care_type": "Bilan orthophonique",
                "care_mode": "office",
                "intervention_delay_minutes": 120,
                "response_delay_minutes": 30,
                "comment": "Bilan",
                **prescription,
            }
        ],
    }
    sent = operator.post("/cases", json=case)
    assert sent.status_code == 201, sent.text
    return sent.json()["prescriptions"][0]["id"], body


def _log(world: World, pro: Pro, **filters: Any) -> list[dict[str, Any]]:
    response = world.server.admin().get(
        "/admin/deliveries", params={"user_id": pro.profile["user_id"], **filters}
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_the_usual_professional_is_named_on_push_and_the_pool_is_not(world: World) -> None:
    lat, lon = _place()
    usual, pool = _pro(world, lat, lon), _pro(world, lat, lon)
    requester = _pro(world, lat + 2, lon, profession="10")
    prescription_id, patient = _send_case(world, lat, lon, requester, usual=usual)
    [named] = _pushes(world, usual, "Nouvelle demande de prise en charge")
    name = f"{patient['first_name']} {patient['last_name'].upper()}"
    assert named.payload["body"].endswith(f"Patient : {name}.")
    assert named.payload["url"] == f"https://centrale.test/pro/demandes/{prescription_id}"
    assert named.payload["tag"] == f"/pro/demandes/{prescription_id}"  # one notification per offer
    assert _pushes(world, pool, "Nouvelle demande de prise en charge", timeout=0.3) == []
    [logged] = _log(world, usual, channel="push", purpose="offer")
    assert named.payload["delivery_id"] == logged["id"]  # the same on every attempt
    assert patient["last_name"].upper() not in logged["text"].upper()  # the log never names them
    declined = usual.client.post(f"/prescriptions/{prescription_id}/decline")
    assert declined.status_code == 200, declined.text
    [anonymous] = _pushes(world, pool, "Nouvelle demande de prise en charge")  # the pool opens
    assert "Orthophoniste, Bilan orthophonique à Évry-Courcouronnes" in anonymous.payload["body"]
    assert patient["last_name"].upper() not in anonymous.payload["body"].upper()
    assert "Patient" not in anonymous.payload["body"]


def test_taken_accepted_and_commented_reach_the_right_people(world: World) -> None:
    lat, lon = _place()
    first, second = _pro(world, lat, lon), _pro(world, lat, lon)
    requester = _pro(world, lat + 2, lon, profession="10")
    prescription_id, _ = _send_case(world, lat, lon, requester)
    _pushes(world, first, "Nouvelle demande de prise en charge")
    _pushes(world, second, "Nouvelle demande de prise en charge")
    accepted = first.client.post(f"/prescriptions/{prescription_id}/accept")
    assert accepted.status_code == 200, accepted.text
    [taken] = _pushes(world, second, "Demande déjà prise")
    assert taken.payload["tag"] == f"/pro/demandes/{prescription_id}"  # replaces the offer's
    assert (
        taken.payload["body"]
        == "La demande Bilan orthophonique à Évry-Courcouronnes est déjà prise par un confrère."
    )
    [told] = _pushes(world, requester, "Demande acceptée")
    assert told.payload["body"].startswith("Votre demande Bilan orthophonique a été acceptée par ")
    assert told.payload["url"].endswith(f"/pro/declenchements/{prescription_id}")
    _, operator = world.server.user("operator")
    comment = operator.post(
        f"/prescriptions/{prescription_id}/comments", json={"text": "Le patient rappelle."}
    )
    assert comment.status_code == 201, comment.text
    [commented] = _pushes(world, first, "Nouveau commentaire")
    assert commented.payload["url"].endswith(f"/pro/soins/{prescription_id}")
    time.sleep(0.3)  # nothing else arrives: not « déjà prise » to the acceptor, not twice
    assert _pushes(world, first, "Demande déjà prise", timeout=0) == []
    assert len(_pushes(world, second, "Demande déjà prise", timeout=0)) == 1
    assert _pushes(world, second, "Nouveau commentaire", timeout=0) == []
    assert len(_pushes(world, requester, "Demande acceptée", timeout=0)) == 1


def test_per_event_channels_through_the_profile(world: World) -> None:
    lat, lon = _place()
    pro = _pro(world, lat, lon, phone="06 98 76 54 32")
    old_style = pro.client.put("/me/profile", json={"channels": {"push": True, "sms": False}})
    assert old_style.status_code == 200, old_style.text
    assert old_style.json()["channels"] == {"push": True, "sms": False, "email": False, "events": None}
    wrong = pro.client.put("/me/profile", json={"channels": {"sms": True, "events": {"offre": ["sms"]}}})
    assert wrong.status_code == 422, wrong.text
    [error] = wrong.json()["errors"]
    assert error["field"] == "channels.events.offre.[key]"
    assert error["message"].startswith("valeur non reconnue (valeurs possibles : 'offer'")
    assert pro.client.get("/me/profile").json()["channels"]["sms"] is False  # nothing changed
    per_event = {"push": True, "sms": True, "events": {"offer": ["sms"], "offer_taken": ["push", "sms"]}}
    saved = pro.client.put("/me/profile", json={"channels": per_event})
    assert saved.status_code == 200, saved.text
    assert saved.json()["channels"]["events"] == {"offer": ["sms"], "offer_taken": ["push", "sms"]}
    requester = _pro(world, lat + 2, lon, profession="10")
    _send_case(world, lat, lon, requester)
    wait_until(lambda: len(world.sms.to("+33698765432")) == 1)
    assert world.sms.to("+33698765432")[0]["content"].startswith("Nouvelle demande : Orthophoniste")
    assert _pushes(world, pro, "Nouvelle demande de prise en charge", timeout=0.3) == []
    assert [(r["channel"], r["status"]) for r in _log(world, pro, purpose="offer")] == [("sms", "sent")]


def test_expired_requests_tell_the_requester_except_in_quiet_hours(world: World) -> None:
    """Runs last in the module: it moves the server's clock 31 minutes forward."""
    lat, lon = _place()
    _pro(world, lat, lon)  # someone is offered the requests, nobody answers
    requester = _pro(world, lat + 2, lon, profession="10")
    quiet = _pro(world, lat + 2, lon + 0.2, profession="10", phone="06 11 22 33 44")
    server_now = datetime.fromisoformat(world.server.advance(1)["now"]).astimezone(ZoneInfo("Europe/Paris"))
    hour = (server_now.hour + 12) % 24  # a window half a day away: now is outside it
    week = [
        {"weekday": d, "state": "custom", "hours": [{"start": f"{hour:02d}:00", "end": f"{hour:02d}:30"}]}
        for d in range(7)
    ]
    events = {"request_expired": ["push", "sms"]}
    body = {"notification_windows": week, "channels": {"push": True, "sms": True, "events": events}}
    assert quiet.client.put("/me/profile", json=body).status_code == 200
    expiring, _ = _send_case(world, lat, lon, requester)
    _send_case(world, lat, lon, quiet)
    world.server.advance(31 * 60)
    [expired] = _pushes(world, requester, "Demande expirée")
    assert expired.payload["url"].endswith(f"/pro/declenchements/{expiring}")
    assert "renouveler" in expired.payload["body"]

    def quiet_rows() -> list[dict[str, Any]]:
        return _log(world, quiet, purpose="request_expired")

    wait_until(lambda: len(quiet_rows()) == 2)
    assert sorted((r["channel"], r["status"], r["reason"]) for r in quiet_rows()) == [
        ("push", "suppressed", "heures de silence"),
        ("sms", "suppressed", "heures de silence"),
    ]
    assert _pushes(world, quiet, "Demande expirée", timeout=0.3) == []
    assert world.sms.to("+33611223344") == []
