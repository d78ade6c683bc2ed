"""A prescription on the GUI tests' server, seen by a fresh operator: a patient at a place of its
own with responders nearby (so « ressources déclenchées » has names), and the case sent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.dispatch import Desk, Responder, place, prescription
from tests.support.live import PASSWORD, LiveServer, unique_name

REAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class Scene:
    desk: Desk
    username: str
    operator: httpx.Client
    responders: list[Responder]
    patient: dict[str, Any]
    prescription_id: int
    case_number: str

    @property
    def password(self) -> str:
        return PASSWORD

    def prescription(self) -> dict[str, Any]:
        return self.desk.get(self.prescription_id, self.operator)

    def get(self, path: str, **params: Any) -> Any:
        response = self.operator.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()


@contextmanager
def scene(server: LiveServer, responders: int = 2, **overrides: Any) -> Iterator[Scene]:
    """``overrides``: fields of the prescription sent (tests.support.dispatch.prescription)."""
    desk = Desk.open(server)
    try:
        user, operator = desk.staff("operator")
        lat, lon = place()
        found = desk.responders(responders, lat, lon) if responders else []
        patient = desk.patient(lat, lon, last_name=unique_name("FICHE"), first_name="Lucienne")
        answer = desk.send(patient["id"], prescription(**overrides))
        line = answer["prescriptions"][0]
        yield Scene(desk, user["username"], operator, found, patient, int(line["id"]), answer["number"])
    finally:
        desk.close()
