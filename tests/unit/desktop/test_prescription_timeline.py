"""The details' « Horodatage » and « ressources déclenchées », rebuilt from the server's answers."""

from __future__ import annotations

from desktop.state.prescription_timeline import PARIS, local_time, prescription_timeline, resources
from shared.domain import PrescriptionState
from shared.schemas.care import CareProgress, ReportOut, VisitOut
from shared.schemas.exchanges import CommentOut, DocumentOut, IncidentOut
from shared.schemas.patients import TimelineEntry
from tests.support.prescription_views import at, notification, person, view


def test_a_renewed_and_accepted_prescription_reads_newest_first() -> None:
    renewed = view(
        round=2,
        sent_at=at(20),
        state=PrescriptionState.ACCEPTED,
        accepted_by=person(5, "GIACOMONI Johanna"),
        accepted_at=at(25),
    )
    notes = [
        notification(4, "DUPONT Marc", 1, 0, answer="declined", answered_at=at(3)),
        notification(5, "GIACOMONI Johanna", 1, 0, answer="cancelled", answered_at=at(10)),
        notification(5, "GIACOMONI Johanna", 2, 20, answer="accepted", answered_at=at(25)),
    ]
    comment = CommentOut(
        id=1,
        prescription_id=7,
        text="Patient bien vu",
        tag="suivi",
        author=person(5, "GIACOMONI Johanna"),
        at=at(30),
    )
    document = DocumentOut(
        id=2,
        prescription_id=7,
        filename="cr.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0",
        author=person(9, "Opérateur"),
        at=at(31),
    )
    incident = IncidentOut(
        id=3,
        text="Retard",
        author=person(9, "Opérateur"),
        network_ids=[],
        prescription_id=7,
        case_id=3,
        at=at(32),
    )
    case_line = TimelineEntry(
        at=at(0), kind="case", label="Déclenchement #22421371 par Opérateur", by=None, data={"case_id": 3}
    )
    other_case = TimelineEntry(at=at(1), kind="case", label="autre", by=None, data={"case_id": 99})
    lines = prescription_timeline(renewed, notes, [comment], [document], [incident], [case_line, other_case])
    assert [line.label for line in lines] == [
        "Incident signalé par Opérateur : Retard",
        "Document ajouté par Opérateur : cr.pdf",
        "(GIACOMONI Johanna) [suivi] : Patient bien vu",
        "acceptation par GIACOMONI Johanna",
        "2e Déclenchement — 1 ressource(s) déclenchée(s)",
        "1er déclenchement annulé",
        "refus de DUPONT Marc",
        "1er Déclenchement — 2 ressource(s) déclenchée(s)",
        "Déclenchement #22421371 par Opérateur",
    ]
    assert lines[0].when() == local_time(at(32), PARIS) == "08/08/26 14:32"


def test_cancelled_with_its_reason_and_no_resource() -> None:
    cancelled = view(state=PrescriptionState.CANCELLED, closed_at=at(5), cancel_reason="TEST INFORMATIQUE")
    labels = [line.label for line in prescription_timeline(cancelled, [], [], [], [])]
    assert labels == [
        "1er déclenchement annulé — Motif : TEST INFORMATIQUE",
        "1er Déclenchement — Aucune ressource disponible",
    ]


def test_expired_says_nobody_accepted() -> None:
    expired = view(state=PrescriptionState.EXPIRED, closed_at=None, deadline_at=at(30))
    lines = prescription_timeline(expired, [notification(4, "DUPONT Marc", 1, 0)], [], [], [])
    assert lines[0].label == "1er déclenchement : aucun intervenant n'a accepté"
    assert lines[0].at == at(30)


def test_started_and_finished_lines() -> None:
    done = view(
        state=PrescriptionState.FINISHED,
        accepted_by=person(5, "X Y"),
        accepted_at=at(1),
        started_at=at(2),
        finished_at=at(3),
        closed_at=at(3),
    )
    labels = [line.label for line in prescription_timeline(done, [], [], [], [])]
    assert labels[:3] == ["intervention terminée", "démarrée par X Y", "acceptation par X Y"]


def test_resources_newest_round_first_with_answers() -> None:
    lines = resources(
        [
            notification(4, "DUPONT Marc", 1, 0, answer="declined", answered_at=at(3), seen_at=at(2)),
            notification(5, "MARTIN Léa", 2, 20, usual=True, distance_km=None),
        ]
    )
    assert [line.round for line in lines] == [2, 1]
    assert lines[0].text() == (
        "2e déclenchement — MARTIN Léa — professionnel habituel — notifié le 08/08/26 14:20 — sans réponse"
    )
    assert lines[1].text() == (
        "1er déclenchement — DUPONT Marc — à 2,3 km — notifié le 08/08/26 14:00 — vu le 08/08/26 14:02"
        " — a refusé le 08/08/26 14:03"
    )


def test_the_acceptors_passages_reports_and_end_of_series_are_lines() -> None:
    nurse = person(5, "MARTIN Léa")
    care = CareProgress(
        visits_done=2,
        visits_planned=6,
        label="2e passage sur 6",
        visits=[
            VisitOut(
                id=1, number=1, label="1er passage sur 6", at=at(60), note=None, by=nurse, recorded_at=at(60)
            ),
            VisitOut(
                id=2,
                number=2,
                label="2e passage sur 6",
                at=at(120),
                note="plaie propre",
                by=nurse,
                recorded_at=at(121),
            ),
        ],
        reports=[ReportOut(id=1, text="Cicatrisation en cours", author=nurse, at=at(125))],
        series_ended_at=at(130),
    )
    started = view(
        state=PrescriptionState.STARTED, accepted_by=nurse, accepted_at=at(1), started_at=at(2), care=care
    )
    labels = [line.label for line in prescription_timeline(started, [], [], [], [])]
    assert labels[:4] == [
        "Fin série de soins",
        "CR de MARTIN Léa : Cicatrisation en cours",
        "2e passage sur 6 par MARTIN Léa : plaie propre",
        "1er passage sur 6 par MARTIN Léa",
    ]
    assert [line.label for line in prescription_timeline(view(), [], [], [], [])] == [
        "1er Déclenchement — Aucune ressource disponible"
    ]


def test_a_withdrawn_usual_professional_is_said_so() -> None:
    line = resources(
        [notification(5, "MARTIN Léa", 1, 0, usual=True, answer="withdrawn", answered_at=at(3))]
    )[0]
    assert "n'est plus professionnel habituel le 08/08/26 14:03" in line.text()
