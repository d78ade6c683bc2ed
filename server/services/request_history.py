"""The requests' steps in the patient's « Horodatage » (issue 18): per prescription of the patient,
its sending (« 1er Déclenchement »), each renewal (« 2e Déclenchement », « 3e … »), its acceptance
(who, and « par téléphone via la centrale » when the hotline recorded it), its cancellation (who,
why) and its expiry.

The patient's own timeline (`PatientEvent`) holds the case line and the care loop; these steps are
read from the change feed's events of the patient's prescriptions (one indexed query), so files
written before this change show them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Case, Event, Prescription, User
from shared.domain import PROFESSIONS
from shared.schemas.feed import EventType

_STEPS = (
    EventType.PRESCRIPTION_SENT,
    EventType.PRESCRIPTION_RENEWED,
    EventType.PRESCRIPTION_ACCEPTED,
    EventType.PRESCRIPTION_CANCELLED,
    EventType.PRESCRIPTION_EXPIRED,
)
ON_THE_PHONE = "par téléphone via la centrale"


@dataclass(frozen=True)
class RequestStep:
    """One line of the « Horodatage »: `kind` is request_sent, request_renewed, request_accepted,
    request_cancelled or request_expired; `by` the person who did it (None: the platform)."""

    at: datetime
    kind: str
    label: str
    by: str | None
    data: dict[str, Any]


def ordinal(round_: int) -> str:
    return "1er" if round_ == 1 else f"{round_}e"


def request_steps(session: Session, patient_id: int, *, show_operator: bool) -> list[RequestStep]:
    """Every step of every request of the patient, newest first. `show_operator`: name the operator
    who recorded a phone answer (the staff), else only « par téléphone via la centrale »."""
    rows = session.execute(
        select(Event, Prescription, Case.number)
        .join(Prescription, Prescription.id == Event.prescription_id)
        .join(Case, Case.id == Prescription.case_id)
        .where(Case.patient_id == patient_id, Event.type.in_([s.value for s in _STEPS]))
        .order_by(Event.seq.desc())
    ).all()
    user_ids: set[int] = set()
    for event, _, _ in rows:
        for key in ("by", "on_behalf_by"):
            if isinstance(event.data.get(key), int):
                user_ids.add(event.data[key])
    names: dict[int, str] = {}
    if user_ids:
        names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all())
    steps = []
    for event, prescription, number in rows:
        step = _step(event, prescription, number, names, show_operator)
        if step is not None:
            steps.append(step)
    return steps


def _step(
    event: Event, prescription: Prescription, number: str, names: dict[int, str], show_operator: bool
) -> RequestStep | None:
    data = event.data
    round_ = int(data.get("round", prescription.round))
    request = f"#{number} — {PROFESSIONS.get(prescription.profession_code, '')} — {prescription.care_type}"
    ids: dict[str, Any] = {
        "case_id": prescription.case_id,
        "prescription_id": prescription.id,
        "round": round_,
    }
    kind: str
    by: str | None = None
    if event.type in (EventType.PRESCRIPTION_SENT.value, EventType.PRESCRIPTION_RENEWED.value):
        kind = "request_sent" if event.type == EventType.PRESCRIPTION_SENT.value else "request_renewed"
        count = int(data.get("notified_count", 0))
        reached = f"{count} ressource(s) déclenchée(s)" if count else "Aucune ressource disponible"
        label = f"{ordinal(round_)} Déclenchement {request} : {reached}"
    elif event.type == EventType.PRESCRIPTION_ACCEPTED.value:
        kind, by = "request_accepted", str(data.get("accepted_by_name") or "un intervenant")
        label = f"Acceptation par {by} ({request})"
        operator = data.get("on_behalf_by")
        if isinstance(operator, int):
            shown = f" ({names.get(operator, 'la centrale')})" if show_operator else ""
            label += f" — {ON_THE_PHONE}{shown}"
    elif event.type == EventType.PRESCRIPTION_CANCELLED.value:
        canceller = data.get("by")
        kind, by = "request_cancelled", names.get(canceller) if isinstance(canceller, int) else None
        reason = str(data.get("reason") or "").strip()
        label = f"{ordinal(round_)} Déclenchement annulé par {by or 'la centrale'} ({request})"
        label += f" — Motif : {reason}" if reason else ""
    elif event.type == EventType.PRESCRIPTION_EXPIRED.value:
        kind = "request_expired"
        label = f"{ordinal(round_)} Déclenchement expiré : aucun intervenant n'a accepté ({request})"
    else:
        return None
    return RequestStep(event.at, kind, label, by, ids)
