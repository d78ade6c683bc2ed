"""Input beyond what the databases hold is a clear 4xx in French, never a 500, on SQLite and
PostgreSQL: integers beyond 2^63−1 (ids in paths, offsets and ids in queries, numbers in bodies),
dates whose conversion to UTC leaves years 1–9999, naive datetimes where an offset is needed, and
the NUL character (PostgreSQL's text cannot hold it) in any text, even an unauthenticated login."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.dispatch import Desk
from tests.support.live import LiveServer, patient_body
from tests.support.web_pages import web_login

BIG = 2**63  # one more than PostgreSQL's bigint and SQLite's INTEGER hold
HUGE = 10**30
OVERFLOW_DATES = ("9999-12-31T23:30:00-05:00", "0001-01-01T00:30:00+01:00")


def assert_refused(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    """A refusal in the project's shape, in French (no pydantic or database English leaks)."""
    assert response.status_code in (statuses or (400, 404, 422)), (response.status_code, response.text)
    body: dict[str, Any] = response.json()
    assert set(body) >= {"detail", "code"}, body
    for text in (body["detail"], *[e["message"] for e in body.get("errors") or []]):
        assert not any(word in text for word in ("Input should", "Traceback", "psycopg", "Error")), text
    return body


@pytest.fixture(scope="module")
def operator(server: LiveServer) -> httpx.Client:
    return server.user("operator")[1]


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Desk:
    return Desk.open(server)


@pytest.mark.parametrize("number", [BIG, HUGE, -BIG - 1])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/patients/{n}"),
        ("PATCH", "/patients/{n}"),
        ("GET", "/patients/{n}/timeline"),
        ("PUT", "/patients/{n}/usual-professionals"),
        ("GET", "/prescriptions/{n}"),
        ("GET", "/prescriptions/{n}/notifications"),
        ("POST", "/prescriptions/{n}/cancel"),
        ("GET", "/prescriptions/{n}/comments"),
        ("GET", "/prescriptions/1/documents/{n}"),
        ("GET", "/professionals/{n}"),
        ("GET", "/admin/users/{n}"),
        ("PATCH", "/admin/networks/{n}"),
        ("DELETE", "/me/push-subscriptions/{n}"),
        ("GET", "/registrations/{n}"),
    ],
)
def test_ids_beyond_the_database_range_in_paths(
    server: LiveServer, operator: httpx.Client, method: str, path: str, number: int
) -> None:
    client = server.admin() if path.startswith("/admin") else operator
    body = {"version": 1} if method == "PATCH" else [] if method == "PUT" else {"reason": "x"}
    response = client.request(method, path.format(n=number), json=body if method != "GET" else None)
    refused = assert_refused(response, 422)
    assert refused["code"] == "integer_out_of_range"
    assert "nombre" in refused["detail"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/prescriptions", {"offset": BIG}),
        ("/changes", {"after": HUGE}),
        ("/incidents", {"case_id": BIG}),
        ("/calls", {"limit": BIG}),
        ("/admin/audit", {"after_id": BIG}),
        ("/admin/users", {"network_id": BIG, "offset": HUGE}),
    ],
)
def test_integers_beyond_the_range_in_queries(
    server: LiveServer, operator: httpx.Client, path: str, params: dict[str, int]
) -> None:
    client = server.admin() if path.startswith("/admin") else operator
    assert assert_refused(client.get(path, params=params), 422)["code"] == "integer_out_of_range"


def test_integers_beyond_the_range_in_bodies(server: LiveServer, operator: httpx.Client, desk: Desk) -> None:
    patient = operator.post("/patients", json=patient_body())
    assert patient.status_code == 201, patient.text
    for number in (BIG, HUGE):
        body = desk.case_body(number)
        refused = assert_refused(operator.post("/cases", json=body), 422)
        assert refused["errors"][0]["field"] == "patient_id"
        body = desk.case_body(patient.json()["id"])
        body["prescriptions"][0]["network_id"] = number
        body["requester"] = {"user_id": number}
        refused = assert_refused(operator.post("/cases", json=body), 422)
        assert {e["code"] for e in refused["errors"]} == {"integer_out_of_range"}
        version = {"version": number}
        assert_refused(operator.patch(f"/patients/{patient.json()['id']}", json=version), 409, 422)


@pytest.mark.parametrize("moment", OVERFLOW_DATES)
def test_dates_whose_utc_leaves_the_calendar(
    server: LiveServer, operator: httpx.Client, desk: Desk, moment: str
) -> None:
    patient = operator.post("/patients", json=patient_body()).json()
    body = desk.case_body(patient["id"])
    prescription = body["prescriptions"][0]
    prescription.pop("intervention_delay_minutes", None)
    prescription.update(intervention_at=moment, intervention_tz="Europe/Paris")
    refused = assert_refused(operator.post("/cases", json=body), 422)
    assert refused["errors"][0]["field"] == "prescriptions.0.intervention_at"
    assert refused["errors"][0]["code"] == "datetime_out_of_range"
    for path, name in (("/prescriptions", "since"), ("/calls", "since"), ("/stats", "since")):
        client = server.user("supervisor")[1] if path == "/stats" else operator
        answer = assert_refused(client.get(path, params={name: moment}), 422)
        assert answer["code"] == "datetime_out_of_range", (path, answer)


def test_a_naive_datetime_where_an_offset_is_needed(operator: httpx.Client) -> None:
    for path in ("/calls", "/prescriptions"):
        refused = assert_refused(operator.get(path, params={"since": "2026-11-27T10:00:00"}), 422)
        assert refused["code"] == "timezone_aware", refused
        assert "fuseau" in refused["detail"]
    assert operator.get("/calls", params={"since": "2026-11-27T10:00:00+01:00"}).status_code == 200


def test_the_nul_character_anywhere(server: LiveServer, operator: httpx.Client, desk: Desk) -> None:
    anonymous = server.client()
    login = anonymous.post("/auth/login", json={"username": "oper\x00ateur", "password": "x" * 12})
    assert_refused(login, 401, 422)
    assert_refused(
        anonymous.post("/auth/login", json={"username": "operateur", "password": "a\x00" * 8}), 401, 422
    )
    searched = operator.get("/patients", params={"last_name": "DU\x00PONT", "birth_date": "1950-01-01"})
    assert_refused(searched, 422)
    assert assert_refused(operator.get("/directory/professionals", params={"q": "mar\x00tin"}), 422)
    patient = operator.post("/patients", json=patient_body()).json()
    body = desk.case_body(patient["id"])
    body["prescriptions"][0]["comment"] = "Pansement\x00 du matin"
    refused = assert_refused(operator.post("/cases", json=body), 422)
    assert refused["errors"][0]["field"] == "prescriptions.0.comment"
    body = desk.case_body(patient["id"])
    body["prescriptions"][0]["care_type"] = "Panse\x00ment"
    body["caller"]["name"] = "Cl\x00aire"
    assert {e["code"] for e in assert_refused(operator.post("/cases", json=body), 422)["errors"]} == {
        "control_characters"
    }
    assert_refused(operator.post("/calls", json={"id": "a\x00b"}), 422)


def test_the_web_app_refuses_the_same(server: LiveServer) -> None:
    profile, _api = server.professional()
    pages = web_login(server.process.base_url, str(profile["username"]))
    for path in (f"/pro/demandes/{BIG}", f"/pro/soins/{HUGE}", f"/pro/soins/{BIG}/dossier"):
        response = pages.get(path)
        assert response.status_code in (404, 422), (path, response.status_code)
        assert any(words in response.text for words in ("hors des limites", "introuvable", "existe pas"))
