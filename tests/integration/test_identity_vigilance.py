"""Identity vigilance (RNIV, issue 17 item 15) over HTTP, on SQLite and PostgreSQL: a status is
accepted only with the evidence it needs (a checked document for « validée », an INSi answer the
server received for « récupérée », both for « qualifiée »), the evidence is stored and audited, and
each refusal is a French 422 that stores nothing and is audited.

The server of this module selects the fake INSi teleservice explicitly (CENTRALE_INSI=fake); the
shared server has none, and says so."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from tests.integration.conftest import start_live
from tests.support.live import LiveServer, make_nir, patient_body

TRAITS = {"birth_last_name": "Leroy", "birth_first_names": "Hélène Anne", "birth_place_insee": "91228"}
TEST_OID = "1.2.250.1.213.1.4.10"
CHILD_BORN = date(2016, 6, 1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def insi_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    yield from start_live(
        request.param, tmp_path_factory.mktemp(f"insi-{request.param}"), CENTRALE_INSI="fake"
    )


@pytest.fixture(scope="module")
def operator(insi_server: LiveServer) -> httpx.Client:
    return insi_server.user("operator")[1]


def _refused(response: httpx.Response, code: str) -> str:
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    detail: str = body["detail"]
    return detail


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    patient: dict[str, Any] = response.json()
    return patient


def _body(born: date, **overrides: Any) -> dict[str, Any]:
    return patient_body(birth_date_obj=born, nir=make_nir(2, born), **TRAITS, **overrides)


def _recover(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    query = {k: body[k] for k in ("birth_last_name", "sex", "birth_date", "birth_place_insee", "nir")}
    response = client.post("/insi/search", json={**query, "first_name": body["first_name"]})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def _with_answer(body: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """The patient as the desktop fills it from the INSi answer."""
    traits = (
        "nir",
        "ins_oid",
        "birth_last_name",
        "birth_first_names",
        "sex",
        "birth_date",
        "birth_place_insee",
    )
    return {**body, **{k: answer[k] for k in traits}, "insi_reference": answer["reference"]}


def _audit(server: LiveServer, **params: Any) -> list[dict[str, Any]]:
    response = server.admin().get("/admin/audit", params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()
    return entries


def test_without_a_connection_the_server_says_the_ins_cannot_be_recovered(server: LiveServer) -> None:
    operator = server.user("operator")[1]
    said = operator.get("/insi").json()
    assert said["available"] is False
    assert said["detail"].startswith("L'INS ne peut pas être récupéré depuis ce poste")
    born = date(1961, 1, 9)
    query = {"birth_last_name": "Leroy", "first_name": "Hélène", "sex": "F", "birth_date": born.isoformat()}
    searched = operator.post("/insi/search", json=query)
    assert (searched.status_code, searched.json()["code"]) == (503, "insi_unavailable")


def test_each_status_above_its_evidence_is_refused_and_audited(
    insi_server: LiveServer, operator: httpx.Client
) -> None:
    born = date(1962, 2, 10)
    cases: list[tuple[str, dict[str, Any], str, str]] = [
        ("validated", {}, "identity_evidence_missing", "Identité validée : il manque une pièce d'identité"),
        ("recovered", {}, "identity_evidence_missing", "Identité récupérée : il manque l'INS récupérée par"),
        (
            "qualified",
            {"identity_document": {"type": "passport"}},
            "identity_evidence_missing",
            "Identité qualifiée : il manque l'INS récupérée par le téléservice INSi",
        ),
        (
            "qualified",
            {},
            "identity_evidence_missing",
            "pièce d'identité à haut niveau de confiance vérifiée et l'INS",
        ),
        ("recovered", {"insi_reference": "INVENTED-1"}, "insi_unknown", "Réponse INSi inconnue"),
        (
            "validated",
            {"identity_document": {"type": "family_record_book"}},
            "identity_document_minor_only",
            "Livret de famille (mineur) : accepté seulement pour un mineur",
        ),
    ]
    for status, evidence, code, words in cases:
        body = _body(born, identity_status=status, **evidence)
        assert words in _refused(operator.post("/patients", json=body), code)
        assert operator.get("/patients", params={"phone": body["phone"]}).json()["items"] == []
    refusals = _audit(insi_server, action="identity_refused")
    assert {r["status"] for r in refusals} == {422}
    assert {r["detail"]["reason"] for r in refusals} >= {c[2] for c in cases}
    assert {r["detail"]["identity_status"] for r in refusals} >= {"validated", "recovered", "qualified"}


def test_validated_needs_the_strict_traits_birth_place_included(operator: httpx.Client) -> None:
    body = _body(date(1963, 3, 11), identity_status="validated", identity_document={"type": "identity_card"})
    body.pop("birth_place_insee")
    detail = _refused(operator.post("/patients", json=body), "ins_incomplete")
    assert detail == "Identité validée : les 5 traits stricts sont obligatoires (manque : Lieu de naissance)"


def test_validated_with_a_document_stores_and_audits_the_evidence(
    insi_server: LiveServer, operator: httpx.Client
) -> None:
    for document in ("identity_card", "passport", "residence_permit"):
        body = _body(date(1964, 4, 12), identity_status="validated", identity_document={"type": document})
        patient = _created(operator.post("/patients", json=body))
        checked = patient["identity_evidence"]["document"]
        assert (patient["identity_status"], checked["type"], patient["identity_evidence"]["insi"]) == (
            "validated",
            document,
            None,
        )
        assert checked["checked_at"] == patient["created_at"]
        assert checked["checked_by"]
        entries = _audit(insi_server, patient_id=patient["id"], action="identity_evidence")
        assert [(e["detail"]["document"], e["detail"]["identity_status"]) for e in entries] == [
            (document, "validated")
        ]
        assert (
            operator.get(f"/patients/{patient['id']}").json()["identity_evidence"]
            == patient["identity_evidence"]
        )


def test_a_minor_is_validated_from_a_family_document_with_the_parent_identity(operator: httpx.Client) -> None:
    for document in ("family_record_book", "birth_certificate"):
        body = _body(CHILD_BORN, identity_status="validated", identity_document={"type": document})
        assert "indiquez l'identité du parent" in _refused(
            operator.post("/patients", json=body), "identity_document_parent_missing"
        )
        parent = {"last_name": "Leroy", "first_name": "Claire", "document": "passport"}
        body["identity_document"] = {"type": document, "parent": parent}
        patient = _created(operator.post("/patients", json=body))
        assert patient["identity_evidence"]["document"]["parent"] == parent


def test_recovered_and_qualified_need_an_insi_answer_that_matches(
    insi_server: LiveServer, operator: httpx.Client
) -> None:
    assert operator.get("/insi").json()["available"] is True
    for status, document in (("recovered", None), ("qualified", {"type": "identity_card"})):
        base = _body(date(1965, 5, 13), identity_status=status)
        if document:
            base["identity_document"] = document
        answer = _recover(operator, base)
        assert (answer["ins_oid"], answer["nir"]) == (TEST_OID, base["nir"])
        wrong = {**_with_answer(base, answer), "birth_place_insee": "75056"}
        assert "(Lieu de naissance)" in _refused(operator.post("/patients", json=wrong), "insi_mismatch")
        patient = _created(operator.post("/patients", json=_with_answer(base, answer)))
        assert patient["identity_status"] == status
        assert patient["identity_evidence"]["insi"]["reference"] == answer["reference"]
        entries = _audit(insi_server, patient_id=patient["id"], action="identity_evidence")
        assert entries[-1]["detail"]["insi_reference"] == answer["reference"]
    searches = _audit(insi_server, action="insi_search")
    assert len(searches) >= 2
    assert all(e["detail"]["found"] for e in searches[-2:])


def test_an_update_keeps_the_status_within_its_evidence(operator: httpx.Client) -> None:
    body = _body(date(1966, 6, 14))
    patient = _created(operator.post("/patients", json=body))
    pid = patient["id"]
    raised = operator.patch(f"/patients/{pid}", json={"version": 1, "identity_status": "validated"})
    assert "pièce d'identité" in _refused(raised, "identity_evidence_missing")
    assert operator.get(f"/patients/{pid}").json() == patient  # nothing refused was stored
    document = {"type": "passport"}
    validated = operator.patch(
        f"/patients/{pid}", json={"version": 1, "identity_status": "validated", "identity_document": document}
    ).json()
    assert (validated["identity_status"], validated["identity_evidence"]["document"]["type"]) == (
        "validated",
        "passport",
    )
    # A strict trait changed without a document checked again: the old check no longer holds.
    moved = operator.patch(f"/patients/{pid}", json={"version": 2, "birth_place_insee": "75056"})
    assert "pièce d'identité" in _refused(moved, "identity_evidence_missing")
    lowered = operator.patch(
        f"/patients/{pid}",
        json={"version": 2, "birth_place_insee": "75056", "identity_status": "provisional"},
    ).json()
    assert (lowered["identity_status"], lowered["identity_evidence"]["document"]) == ("provisional", None)
    qualified = operator.patch(f"/patients/{pid}", json={"version": 3, "identity_status": "qualified"})
    assert "il manque une pièce d'identité" in _refused(qualified, "identity_evidence_missing")
