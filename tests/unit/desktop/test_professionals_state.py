"""The « Professionnels » tab without Qt: lines, time left, the pause's 1–48 h rule in the
professional's zone (never the workstation's), refusals in French, which events refresh it, and
the history's « par téléphone via la centrale »."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop.state import professionals as words
from desktop.state.prescription_timeline import prescription_timeline
from desktop.state.professionals import PauseChoice, ProfessionalsState, default_pause, time_left
from shared.domain import Availability, CareMode, PrescriptionState
from shared.schemas.dispatch import OnBehalf
from shared.schemas.hotline_professionals import (
    CareItem,
    OpenOffer,
    ProfessionalStatus,
    ProfessionalSummary,
)
from shared.schemas.professional import ServedCommune
from tests.support.feed_events import feed_event
from tests.support.prescription_views import at, notification, person, view

NOW = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # Paris: 00:30 on the 29th, the night clocks go forward
PARIS = ZoneInfo("Europe/Paris")


def _summary(**overrides: object) -> ProfessionalSummary:
    values: dict[str, object] = {
        "user_id": 42,
        "display_name": "D'ALMEIDA Jean-Marc",
        "last_name": "D'Almeida",
        "first_name": "Jean-Marc",
        "rpps": "10001234567",
        "profession_code": "60",
        "profession": "Infirmier",
        "phone": "+33612345678",
        "commune": "Évry-Courcouronnes",
        "postal_code": "91000",
        "active": True,
        "availability": Availability.BOTH,
        "availability_label": "Disponible (C&V)",
        "unavailable_until": None,
    }
    values.update(overrides)
    return ProfessionalSummary.model_validate(values)


def _offer(prescription_id: int = 7, minutes_left: float = 42) -> OpenOffer:
    return OpenOffer(
        prescription_id=prescription_id,
        case_id=3,
        case_number="22428699",
        round=1,
        profession="Infirmier",
        care_type="Pansement",
        care_mode=CareMode.VISIT,
        care_mode_label="Visite",
        commune="Évry-Courcouronnes",
        patient_name="DUPONT Marie",
        usual=False,
        comment="Pansement simple",
        notified_at=NOW - timedelta(minutes=10),
        seen_at=None,
        deadline_at=NOW + timedelta(minutes=minutes_left),
        time_left_seconds=int(minutes_left * 60),
    )


def _status(**overrides: object) -> ProfessionalStatus:
    values: dict[str, object] = {
        "professional": _summary(),
        "resumes_as": None,
        "radius_km": 12.5,
        "care_modes": ["visit", "office"],
        "served_communes": [
            ServedCommune(insee_code="91228", name="Évry-Courcouronnes", postal_code="91000")
        ],
        "timezone": "Europe/Paris",
        "open_offers": [_offer()],
        "in_care": [
            CareItem(
                prescription_id=8,
                case_number="22428700",
                care_type="Bilan sang",
                state=PrescriptionState.ACCEPTED,
                state_label="Accepté",
                patient_name="MARTIN Paul",
                accepted_at=NOW,
            )
        ],
    }
    values.update(overrides)
    return ProfessionalStatus.model_validate(values)


def test_a_result_line_says_who_where_and_the_status() -> None:
    assert words.result_line(_summary()) == (
        "D'ALMEIDA Jean-Marc — Infirmier — Évry-Courcouronnes (91000) — RPPS 10001234567 — +33612345678"
        " — Disponible (C&V)"
    )
    assert words.result_line(_summary(active=False, phone=None, commune=None)).endswith(
        "RPPS 10001234567 — compte désactivé"
    )
    assert words.search_hint(" a ") is not None
    assert words.search_hint("dal") is None


def test_time_left_and_the_offer_line_in_paris_time() -> None:
    assert time_left(NOW + timedelta(minutes=42), NOW) == "reste 42 min"
    assert time_left(NOW + timedelta(minutes=65), NOW) == "reste 1 h 05"
    assert time_left(NOW + timedelta(seconds=20), NOW) == "reste 1 min"
    assert time_left(NOW - timedelta(seconds=1), NOW) == "délai dépassé"
    line = words.offer_line(_offer(), NOW)
    # Notified at 23:20 UTC = 00:20 in Paris (winter time, UTC+1), the next day.
    assert line == (
        "#22428699 Pansement (Visite) — DUPONT Marie, Évry-Courcouronnes"
        " — notifié le 29/03 00:20 — reste 42 min"
    )


def test_status_lines() -> None:
    paused = _status(
        professional=_summary(
            availability=Availability.UNAVAILABLE,
            availability_label="Indisponible jusqu'au 29/03 à 12:00",
            unavailable_until=NOW + timedelta(hours=10),
        ),
        resumes_as=Availability.OFFICE,
    )
    assert words.status_lines(paused) == [
        "D'ALMEIDA Jean-Marc — Infirmier — RPPS 10001234567",
        "Téléphone : +33612345678",
        "Statut : Indisponible jusqu'au 29/03 à 12:00 (puis Disponible Cabinet)",
        "Rayon : 12,5 km — communes desservies : Évry-Courcouronnes",
    ]
    assert words.care_lines(paused) == ["#22428700 Bilan sang — MARTIN Paul — Accepté"]


def test_the_pause_is_a_paris_wall_time_between_one_and_48_hours() -> None:
    # 03:00 on the 29th in Paris is 01:00 UTC (summer time from 02:00): 1 h 30 from NOW.
    choice = PauseChoice(date(2026, 3, 29), time(3, 0))
    assert choice.until() == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert choice.problem(NOW) is None
    assert choice.label() == "Indisponible jusqu'au 29/03 à 03:00"
    assert PauseChoice(date(2026, 3, 29), time(1, 0)).problem(NOW) == (
        "Indisponible jusqu'à : au moins 1 h à partir de maintenant"
    )
    assert PauseChoice(date(2026, 3, 31), time(2, 0)).problem(NOW) == (
        "Indisponible jusqu'à : au plus 48 h à partir de maintenant"
    )
    reunion = PauseChoice(date(2026, 3, 29), time(6, 0), ZoneInfo("Indian/Reunion"))
    assert reunion.until() == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)
    assert [label for _, label in words.pause_days(NOW)] == [
        "Aujourd'hui 29/03",  # already the 29th in Paris
        "Demain 30/03",
        "Après-demain 31/03",
    ]
    assert words.parse_pause(date(2026, 3, 29), " 14h30 ") == PauseChoice(date(2026, 3, 29), time(14, 30))
    assert words.parse_pause(date(2026, 3, 29), "9") == PauseChoice(date(2026, 3, 29), time(9, 0))
    for wrong in ("", "25:00", "12:75", "midi"):
        assert words.parse_pause(date(2026, 3, 29), wrong) == "Heure de fin : saisissez-la comme 14:30"
    opened = default_pause(NOW)
    assert (opened.day, opened.at) == (date(2026, 3, 29), time(3, 30))  # +2 h, across the change
    assert opened.problem(NOW) is None


@pytest.mark.parametrize(
    ("code", "detail", "shown"),
    [
        (
            "state_accepted",
            "Trop tard : cette demande a déjà été acceptée par DUPONT Marc",
            "Trop tard : cette demande a déjà été acceptée par DUPONT Marc",
        ),
        (
            "state_accepted",
            "Cette demande a déjà été acceptée",
            "Trop tard : la demande a déjà été acceptée par un autre intervenant",
        ),
        ("deadline_passed", "Le délai de réponse est dépassé", words._REFUSALS["deadline_passed"]),
        ("not_notified", "Cette demande n'a pas été proposée à X", "Cette demande n'a pas été proposée à X"),
    ],
)
def test_refusals_read_in_french(code: str, detail: str, shown: str) -> None:
    assert words.refusal_text(code, detail) == shown


def test_confirmations_name_the_professional_and_the_channel() -> None:
    text = words.confirm_answer("D'ALMEIDA Jean-Marc", _offer(), accept=True)
    assert text.startswith("Accepter pour D'ALMEIDA Jean-Marc, par téléphone, la demande #22428699")
    assert "par téléphone via la centrale" in text
    assert (
        words.done_answer("X", _offer(), accept=False) == "Demande #22428699 déclinée pour X (par téléphone)"
    )


def test_which_events_refresh_the_shown_professional() -> None:
    state = ProfessionalsState()
    taken = feed_event(
        "prescription_accepted", 1, at=NOW, case_id=3, prescription_id=7, accepted_by=99, accepted_by_name="X"
    )
    assert not state.refreshes(taken)  # nobody shown
    state.status = _status()
    assert state.chosen_id == 42
    assert state.offer(7) is not None
    assert state.offer(8) is None
    assert state.refreshes(taken)  # one of their offers, taken by someone else
    elsewhere = dict(case_id=4, prescription_id=70)
    assert not state.refreshes(
        feed_event("prescription_commented", 2, at=NOW, **elsewhere, comment_id=1, user_id=5, tag=None)
    )
    assert state.refreshes(feed_event("prescription_declined", 3, at=NOW, **elsewhere, user_id=42))
    assert not state.refreshes(feed_event("prescription_declined", 4, at=NOW, **elsewhere, user_id=43))
    assert state.refreshes(feed_event("prescription_sent", 5, at=NOW, **elsewhere))  # maybe a new offer
    assert state.refreshes(
        feed_event("prescription_started", 6, at=NOW, case_id=3, prescription_id=8, user_id=42)
    )
    assert not state.refreshes(feed_event("patient_updated", 7, at=NOW, patient_id=1, version=2))


def test_the_history_says_an_answer_was_taken_by_phone() -> None:
    operator = person(9, "Opératrice MARTIN")
    accepted = view(
        state=PrescriptionState.ACCEPTED,
        accepted_by=person(5, "GIACOMONI Johanna"),
        accepted_at=at(25),
        accepted_on_behalf=OnBehalf(by=operator),
    )
    notes = [
        notification(
            4, "DUPONT Marc", 1, 0, answer="declined", answered_at=at(3), on_behalf=OnBehalf(by=operator)
        ),
        notification(6, "LEROY Anne", 1, 0, answer="declined", answered_at=at(4)),
        notification(5, "GIACOMONI Johanna", 1, 0, answer="accepted", answered_at=at(25)),
    ]
    labels = [line.label for line in prescription_timeline(accepted, notes, [], [], [])]
    assert "acceptation par GIACOMONI Johanna — par téléphone via la centrale (Opératrice MARTIN)" in labels
    assert "refus de DUPONT Marc — par téléphone via la centrale (Opératrice MARTIN)" in labels
    assert "refus de LEROY Anne" in labels
    # A professional's own copy names no operator.
    mine = view(
        state=PrescriptionState.ACCEPTED,
        accepted_by=person(5, "G"),
        accepted_at=at(25),
        accepted_on_behalf=OnBehalf(),
    )
    assert "acceptation par G — par téléphone via la centrale" in [
        line.label for line in prescription_timeline(mine, [], [], [], [])
    ]
    assert PARIS.key == "Europe/Paris"
