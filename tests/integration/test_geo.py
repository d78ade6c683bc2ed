"""Communes: autocomplete by name or postal code, centroids, and patients placed by their commune."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from server.services.matching import distance_km
from tests.support.dispatch import Desk
from tests.support.live import LiveServer, professional_body


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(server)
    yield desk
    desk.close()


def communes(client: httpx.Client, q: str, **params: str) -> list[dict[str, Any]]:
    response = client.get("/geo/communes", params={"q": q, **params})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def test_saint_denis_lists_every_saint_denis_with_its_department(desk: Desk) -> None:
    found = communes(desk.operator, "saint-denis", limit="50")
    exact = [c for c in found if c["name"] == "Saint-Denis"]
    assert {(c["insee_code"], c["department"]) for c in exact} >= {("93066", "93"), ("97411", "974")}
    assert found[: len(exact)] == exact  # exact names first, then Saint-Denis-de-Pile, …
    assert all(c["name"].startswith("Saint-Denis") for c in found)
    assert communes(desk.operator, "st denis", limit="50") == found
    assert communes(desk.operator, "SAINT DENIS", limit="50") == found


def test_a_postal_code_finds_its_communes(desk: Desk) -> None:
    [fort_de_france] = communes(desk.operator, "97200")
    assert fort_de_france == {
        "insee_code": "97209",
        "name": "Fort-de-France",
        "postal_codes": ["97200", "97234"],
        "department": "972",
        "latitude": pytest.approx(14.64, abs=0.05),
        "longitude": pytest.approx(-61.07, abs=0.05),
    }
    assert {c["insee_code"] for c in communes(desk.operator, "9720")} >= {"97209"}


def test_accents_are_optional_and_paris_lyon_is_392_km(desk: Desk) -> None:
    assert communes(desk.operator, "evry courc")[0]["insee_code"] == "91228"
    assert communes(desk.operator, "Évry-Courc")[0]["insee_code"] == "91228"
    paris = next(c for c in communes(desk.operator, "paris") if c["insee_code"] == "75056")
    lyon = next(c for c in communes(desk.operator, "lyon") if c["insee_code"] == "69123")
    distance = distance_km(paris["latitude"], paris["longitude"], lyon["latitude"], lyon["longitude"])
    assert distance == pytest.approx(392, rel=0.01)


def test_the_autocomplete_needs_a_login_and_a_query(desk: Desk) -> None:
    assert desk.server.client().get("/geo/communes", params={"q": "paris"}).status_code == 401
    assert desk.operator.get("/geo/communes", params={"q": "  "}).status_code == 422


def test_a_patient_known_by_commune_only_is_placed_and_gets_responders(desk: Desk) -> None:
    [saint_pierre] = [c for c in communes(desk.operator, "97410") if c["insee_code"] == "97416"]
    patient = desk.patient(None, None, commune_insee="97416", postal_code="97410", city="Saint-Pierre")
    assert (patient["latitude"], patient["longitude"]) == (
        saint_pierre["latitude"],
        saint_pierre["longitude"],
    )
    responder = desk.responder(saint_pierre["latitude"] + 0.01, saint_pierre["longitude"])
    line = desk.send_one(patient["id"])
    assert line["notified_count"] >= 1
    assert line["id"] in responder.offer_ids()

    # Moving to another commune without coordinates moves them to the new commune.
    moved = desk.operator.patch(
        f"/patients/{patient['id']}", json={"version": patient["version"], "commune_insee": "97209"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["latitude"] == pytest.approx(14.64, abs=0.05)
    # Coordinates given with the commune win.
    placed = desk.patient(46.5, 2.5, commune_insee="97416")
    assert (placed["latitude"], placed["longitude"]) == (46.5, 2.5)


def test_a_professional_registered_with_a_commune_only_is_placed_and_notified(desk: Desk) -> None:
    [cayenne] = [c for c in communes(desk.operator, "cayenne") if c["insee_code"] == "97302"]
    body = professional_body(latitude=None, longitude=None, commune_insee="97302", postal_code="97300")
    created = desk.admin.post("/admin/professionals", json=body)
    assert created.status_code == 201, created.text
    pro = created.json()
    assert (pro["latitude"], pro["longitude"]) == (cayenne["latitude"], cayenne["longitude"])
    patient = desk.patient(cayenne["latitude"] + 0.02, cayenne["longitude"])
    line = desk.send_one(patient["id"])
    assert pro["user_id"] in {n["user_id"] for n in desk.notifications(line["id"])}

    # A new commune without coordinates moves the practice's position with it.
    moved = desk.admin.patch(f"/admin/professionals/{pro['user_id']}", json={"commune_insee": "97209"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["latitude"] == pytest.approx(14.64, abs=0.05)
    assert moved.json()["commune_insee"] == "97209"


def test_a_professional_needs_a_position_or_a_commune(desk: Desk) -> None:
    nowhere = desk.admin.post(
        "/admin/professionals", json=professional_body(latitude=None, longitude=None, commune_insee=None)
    )
    assert nowhere.status_code == 422
    assert "commune" in nowhere.text
    half = desk.admin.post("/admin/professionals", json=professional_body(latitude=45.0, longitude=None))
    assert half.status_code == 422
