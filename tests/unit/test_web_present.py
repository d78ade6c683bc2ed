"""How the web pages word times and prescriptions: Paris time, or the intervention's own zone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from server.web.present import intervention, series, state_text
from server.web.times import duration, when
from shared.schemas.dispatch import PrescriptionView


def view(**overrides: Any) -> PrescriptionView:
    sent = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    base: dict[str, Any] = {
        "id": 1, "case_id": 1, "case_number": "30000001", "round": 1, "state": "pending",
        "state_label": "En cours", "profession_code": "60", "profession": "Infirmier",
        "care_type": "Pansement", "care_mode": "visit", "network_id": None, "intervention_at": None,
        "intervention_tz": None, "intervention_delay_minutes": 90, "days": 3, "visits_per_day": 2,
        "response_delay_minutes": 60, "comment": "…", "sent_at": sent, "deadline_at": sent,
        "priority_until": None, "notified_count": 4, "accepted_by": None, "accepted_at": None,
        "started_at": None, "finished_at": None, "closed_at": None, "report": None, "cancel_reason": None,
        "requester": {}, "caller": None,
        "area": {"age": 80, "sex": "F", "commune": "Évry", "postal_code": "91000",
                 "approx_latitude": None, "approx_longitude": None},
        "patient": None, "anonymised": True,
    }  # fmt: skip
    return PrescriptionView.model_validate({**base, **overrides})


def test_times_are_shown_in_paris_whatever_the_server_zone() -> None:
    summer, winter = datetime(2026, 7, 1, 8, 5, tzinfo=UTC), datetime(2026, 1, 15, 8, 5, tzinfo=UTC)
    assert when(summer) == "01/07/2026 à 10:05"
    assert when(winter) == "15/01/2026 à 09:05"


def test_an_intervention_is_shown_in_its_own_zone() -> None:
    at = datetime(2026, 7, 1, 14, 0, tzinfo=UTC)
    martinique = view(
        intervention_at=at, intervention_tz="America/Martinique", intervention_delay_minutes=None
    )
    assert intervention(martinique) == "le 01/07/2026 à 10:00 (heure de Martinique)"
    paris = view(intervention_at=at, intervention_tz="Europe/Paris", intervention_delay_minutes=None)
    assert intervention(paris) == "le 01/07/2026 à 16:00"
    assert intervention(view()) == "dans 1 h 30"
    assert intervention(view(intervention_delay_minutes=0)) == "dès que possible"
    assert intervention(view(intervention_delay_minutes=2880)) == "dans 2 jours"


def test_series_durations_and_the_states_of_mes_declenchements() -> None:
    assert series(view()) == "3 jours × 2 passages/j"
    assert duration(3725) == "1 h 02 min"
    assert duration(45) == "45 s"
    assert state_text(view(notified_count=0)) == "Aucune ressource disponible"
    taken = view(state="accepted", accepted_by={"id": 7, "name": "LEBLANC Sophie"})
    assert state_text(taken) == "Déclenchement accepté par LEBLANC Sophie"
    assert state_text(view(state="expired")).startswith("Annulé : aucun intervenant")
