"""Board rows as the server sends them and change-feed events as the follower hands them (typed),
for the board's Qt-free tests and the benchmark's model-only figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.schemas.dispatch import PrescriptionView
from shared.schemas.feed import FeedEvent
from tests.support.feed_events import feed_event

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def view(prescription_id: int, **overrides: Any) -> PrescriptionView:
    """A staff member's full view of a pending prescription sent at `T0` (30 min to answer)."""
    sent = overrides.pop("sent_at", T0)
    body: dict[str, Any] = {
        "id": prescription_id,
        "case_id": prescription_id,
        "case_number": str(30000000 + prescription_id),
        "round": 1,
        "state": "pending",
        "state_label": "En cours",
        "profession_code": "60",
        "profession": "Infirmier",
        "care_type": "Pansement",
        "care_mode": "visit",
        "network_id": None,
        "intervention_at": None,
        "intervention_tz": None,
        "intervention_delay_minutes": 120,
        "days": 1,
        "visits_per_day": 1,
        "response_delay_minutes": 30,
        "comment": "Pansement d'ulcère, patiente autonome",
        "sent_at": sent,
        "deadline_at": sent + timedelta(minutes=30),
        "priority_until": None,
        "notified_count": 3,
        "accepted_by": None,
        "accepted_at": None,
        "started_at": None,
        "finished_at": None,
        "closed_at": None,
        "report": None,
        "cancel_reason": None,
        "requester": {"name": "Dr Prescripteur", "profession": "Médecin"},
        "caller": {"name": "Cabinet Appelant", "service": "Cabinet du Parc"},
        "area": {
            "age": 76,
            "sex": "F",
            "commune": "Évry-Courcouronnes",
            "postal_code": "91000",
            "approx_latitude": 48.63,
            "approx_longitude": 2.44,
        },
        "patient": {
            "id": prescription_id,
            "last_name": "Santoni",
            "first_name": "Hélène",
            "birth_date": "1950-03-17",
            "phone": "+33199001234",
            "address_line": "12 rue des Lilas, 91000 Évry-Courcouronnes",
            "address_details": {},
        },
        "anonymised": False,
    }
    body.update(overrides)
    return PrescriptionView.model_validate(body)


def event(seq: int, kind: str, prescription_id: int, at: datetime | None = None, **data: Any) -> FeedEvent:
    """``prescription_<kind>``, typed as the follower hands it (round 1 unless given)."""
    data.setdefault("round", 1)
    when = at or T0 + timedelta(minutes=seq)
    return feed_event(
        f"prescription_{kind}", seq, at=when, case_id=prescription_id, prescription_id=prescription_id, **data
    )
