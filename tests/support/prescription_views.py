"""Server answers (shared schemas) built in memory, for the Qt-free tests of the details window
and the patient files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.domain import CareMode, PrescriptionState, Sex
from shared.schemas.dispatch import (
    NotificationView,
    PatientArea,
    PatientIdentity,
    PersonRef,
    PrescriptionView,
)

T0 = datetime(2026, 8, 8, 12, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def view(**overrides: Any) -> PrescriptionView:
    values: dict[str, Any] = {
        "id": 7,
        "case_id": 3,
        "case_number": "22421371",
        "round": 1,
        "state": PrescriptionState.PENDING,
        "state_label": "En cours",
        "profession_code": "60",
        "profession": "Infirmier",
        "care_type": "Pansement",
        "care_mode": CareMode.VISIT,
        "network_id": None,
        "intervention_at": None,
        "intervention_tz": None,
        "intervention_delay_minutes": 60,
        "days": 1,
        "visits_per_day": 1,
        "response_delay_minutes": 30,
        "comment": "Pansement d'ulcère",
        "sent_at": T0,
        "deadline_at": at(30),
        "priority_until": None,
        "notified_count": 0,
        "accepted_by": None,
        "accepted_at": None,
        "started_at": None,
        "finished_at": None,
        "closed_at": None,
        "report": None,
        "cancel_reason": None,
        "requester": {"name": "Dr Prescripteur"},
        "caller": {"name": "Cabinet"},
        "area": PatientArea(
            age=52,
            sex=Sex.FEMALE,
            commune="Vescovato",
            postal_code="20215",
            approx_latitude=None,
            approx_longitude=None,
        ),
        "patient": PatientIdentity(
            id=11,
            last_name="Aamicho",
            first_name="Bbmicho",
            birth_date=date(1970, 1, 1),
            phone="+33199001234",
            address_line="San Quilico, 20215 Vescovato",
            address_details={},
        ),
        "anonymised": False,
    }
    values.update(overrides)
    return PrescriptionView(**values)


def notification(user_id: int, name: str, round_: int, notified: float, **overrides: Any) -> NotificationView:
    values: dict[str, Any] = {
        "user_id": user_id,
        "name": name,
        "round": round_,
        "usual": False,
        "distance_km": 2.345,
        "notified_at": at(notified),
        "seen_at": None,
        "answer": None,
        "answered_at": None,
    }
    values.update(overrides)
    return NotificationView(**values)


def person(user_id: int, name: str) -> PersonRef:
    return PersonRef(id=user_id, name=name)
