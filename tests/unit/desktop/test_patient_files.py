"""« Fiches patients »: what a keyword searches, the rows and their last events, the page's lines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from desktop.state.patient_files import (
    address_lines,
    header,
    identity_lines,
    merge_rows,
    row_from_match,
    rows_from_board,
    search_criteria,
    timeline_lines,
    usual_lines,
)
from shared.domain import IdentityStatus, PrescriptionState, Sex
from shared.schemas.patients import PatientMatch, PatientOut, TimelineEntry, UsualProfessionalOut
from tests.support.live import make_nir
from tests.support.prescription_views import at, person, view


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [
        ("", None),
        ("  ", None),
        ("a", None),
        ("D'almeida", {"last_name": "D'almeida"}),
        ("PICASSO Pablo Diego", {"last_name": "PICASSO", "first_name": "Pablo Diego"}),
        ("09/08/1952", {"birth_date": "1952-08-09"}),
        ("06 00 00 00 00", {"phone": "06 00 00 00 00"}),
        ("+33 6 00 00 00 00", {"phone": "+33 6 00 00 00 00"}),
        ("12 34 56 78 90 12 3", None),
        ("#22421371", None),
    ],
)
def test_search_criteria(keyword: str, expected: dict[str, str] | None) -> None:
    assert search_criteria(keyword) == expected


def test_search_criteria_nir() -> None:
    nir = make_nir(2, date(1970, 1, 1))
    spaced = f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]} {nir[13:]}"
    assert search_criteria(spaced) == {"nir": nir}


def test_board_rows_group_by_patient_with_last_events_first() -> None:
    first = view(id=1, sent_at=at(0))
    second = view(
        id=2,
        case_number="24426443",
        sent_at=at(10),
        state=PrescriptionState.ACCEPTED,
        accepted_by=person(5, "GIACOMONI Johanna"),
        accepted_at=at(12),
    )
    anonymous = view(id=3, patient=None, anonymised=True)
    rows = rows_from_board([second, first, anonymous])
    assert len(rows) == 1
    row = rows[0]
    assert (row.patient_id, row.name) == (11, "AAMICHO Bbmicho")
    assert row.details == "52 ans — née le 01/01/1970 — 20215 Vescovato"
    assert row.event_lines() == [
        "08/08/2026 14:12  acceptation par GIACOMONI Johanna (#24426443)",
        "08/08/2026 14:10  1er Déclenchement #24426443 — Infirmier",
        "08/08/2026 14:00  1er Déclenchement #22421371 — Infirmier",
    ]
    assert [e.prescription_id for e in row.events] == [2, 2, 1]


def _match(patient_id: int) -> PatientMatch:
    return PatientMatch(
        id=patient_id,
        last_name="Picasso",
        first_name="Pablo",
        birth_last_name=None,
        birth_date=date(1952, 8, 9),
        age=70,
        sex=Sex.MALE,
        phone="+33600000000",
        postal_code="63700",
        city="Youx",
        identity_status=IdentityStatus.PROVISIONAL,
        match="exact",
        reasons=[],
        likely_duplicates=[],
    )


def test_search_rows_show_their_timeline_and_merge_by_recent_activity() -> None:
    timeline = [
        TimelineEntry(at=at(-60), kind="created", label="Fiche créée par UTILISATEUR A", by=None, data={}),
        TimelineEntry(
            at=at(-30), kind="case", label="Déclenchement #1", by=None, data={"prescription_id": 4}
        ),
    ]
    found = row_from_match(_match(20), timeline)
    assert found.details == "70 ans — né le 09/08/1952 — 63700 Youx"
    assert [e.label for e in found.events] == ["Déclenchement #1", "Fiche créée par UTILISATEUR A"]
    quiet = row_from_match(_match(21), [])
    board = rows_from_board([view(sent_at=at(5))])
    duplicate = row_from_match(_match(11), timeline)
    merged = merge_rows(board, [found, quiet, duplicate])
    assert [r.patient_id for r in merged] == [11, 20, 21]
    assert merged[0].events[0].label.startswith("1er Déclenchement")  # the board's row won


def _patient() -> PatientOut:
    now = datetime(2026, 8, 8, tzinfo=UTC)
    return PatientOut(
        id=11,
        version=1,
        last_name="Picasso",
        first_name="Pablo",
        birth_last_name=None,
        birth_first_names=None,
        sex=Sex.MALE,
        birth_date=date(1952, 8, 9),
        age=74,
        birth_place_insee=None,
        nir=None,
        ins_oid=None,
        identity_status=IdentityStatus.PROVISIONAL,
        occupation=None,
        insurance_scheme=None,
        phone="+33600000000",
        phone2=None,
        email=None,
        address_line="Rue de Laval",
        address_complement=None,
        building="B",
        staircase=None,
        floor="2",
        digicode="1234A",
        intercom=None,
        door=None,
        postal_code="63700",
        city="Youx",
        commune_insee="63469",
        latitude=None,
        longitude=None,
        usual_professionals=[
            UsualProfessionalOut(
                profession_code="10",
                profession="Médecin",
                rpps="10000000005",
                last_name="Martin",
                first_name="Paul",
                registered=False,
                user_id=None,
            )
        ],
        created_at=now,
        updated_at=now,
    )


def test_patient_page_lines() -> None:
    patient = _patient()
    assert header(patient) == "PICASSO Pablo — 74 ans — né le 09/08/1952 — Masculin"
    assert identity_lines(patient) == [
        ("Statut de l'identité", "Identité provisoire"),
        ("Téléphone", "06 00 00 00 00"),
    ]
    assert address_lines(patient) == [
        ("Adresse", "Rue de Laval"),
        ("Bâtiment", "B"),
        ("Étage", "2"),
        ("Digicode", "1234A"),
        ("Commune", "63700 Youx"),
    ]
    assert usual_lines(patient) == ["Médecin : MARTIN Paul — RPPS 10000000005 (non inscrit)"]
    patient.usual_professionals = []
    assert usual_lines(patient) == ["Aucun professionnel habituel renseigné"]
    entry = TimelineEntry(at=at(0), kind="comment", label="Commentaire", by="X", data={"prescription_id": 7})
    assert timeline_lines([entry]) == [("08/08/26 14:00", "Commentaire", 7)]
