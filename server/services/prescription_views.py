"""What each caller may see of a prescription.

Operators and supervisors see everything; a practice secretary her practice's requests in full
and nothing of the others (server/services/practices.py). A professional sees a prescription in full
when they accepted it, requested it (their own patient), are *now* one of the patient's usual
professionals (the FAQ: « l'anonymat est levé » for them), or accepted another prescription of the
same case (they co-treat the episode). A responder who was only notified of it sees it anonymised:
the area (commune, an approximate area of about 2 km — never the position —, age, sex), the care,
the requester and the comment, never the name, address or phone of the patient nor the caller's
numbers. Anyone else: nothing (403).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from server.errors import Forbidden
from server.models import Notification, Patient, Prescription, User
from server.security.principal import STAFF, Principal
from server.services import practices
from server.services.matching import distance_km
from server.services.patient_views import age_on
from server.services.phone_answers import on_behalf, phone_answers
from server.services.ties import co_treats, is_usual
from shared.domain import PROFESSIONS, CareMode, PrescriptionState, Role
from shared.schemas.care import CareProgress
from shared.schemas.dispatch import (
    NotificationView,
    PatientArea,
    PatientIdentity,
    PersonRef,
    PrescriptionView,
)

REQUESTER_SHOWN = (
    "name",
    "profession",
    "profession_code",
    "rpps",
)  # of the case's requester, to every viewer
ADDRESS_DETAILS = ("address_complement", "building", "staircase", "floor", "digicode", "intercom", "door")
# The anonymised position: cells of 0.02° of latitude (≈ 2.2 km) and as wide, one grid for all.
AREA_CELL_DEGREES = 0.02


def approximate_area(latitude: float, longitude: float) -> tuple[float, float, float]:
    """(latitude, longitude, radius in km) of the area shown before acceptance: the centre of the
    grid cell that holds the point, and a circle around it that holds the whole cell. It depends
    on the cell alone, so no number of offers for one patient tells more than the cell."""
    row = math.floor(latitude / AREA_CELL_DEGREES)
    south, north = row * AREA_CELL_DEGREES, (row + 1) * AREA_CELL_DEGREES
    centre_lat = (south + north) / 2
    step = AREA_CELL_DEGREES / max(0.05, math.cos(math.radians(centre_lat)))
    column = math.floor(longitude / step)
    west, east = column * step, (column + 1) * step
    centre_lon = (west + east) / 2
    farthest = max(
        distance_km(centre_lat, centre_lon, lat, lon) for lat in (south, north) for lon in (west, east)
    )
    wrapped = (centre_lon + 180) % 360 - 180
    return round(centre_lat, 5), round(wrapped, 5), math.ceil(farthest * 10) / 10


def is_requester(prescription: Prescription, user_id: int) -> bool:
    case = prescription.case
    return user_id in (case.requester_user_id, case.requester.get("user_id"), case.created_by)


def _notified(session: Session, prescription: Prescription, user_id: int) -> bool:
    mine = exists().where(Notification.prescription_id == prescription.id, Notification.user_id == user_id)
    return bool(session.scalar(select(mine)))


def visibility(session: Session, prescription: Prescription, principal: Principal) -> str:
    """'full', 'anonymised', or 'none' for this caller."""
    if principal.role == Role.SECRETARY:  # her practice's requests only (server/services/practices.py)
        return "full" if practices.sees_case(session, principal.id, prescription.case_id) else "none"
    if principal.role in STAFF:
        return "full"
    if principal.role != Role.PROFESSIONAL:
        return "none"
    if prescription.accepted_by == principal.id or is_requester(prescription, principal.id):
        return "full"
    patient = session.get(Patient, prescription.case.patient_id)
    assert patient is not None
    if is_usual(patient, principal) or co_treats(session, prescription, principal.id):
        return "full"
    return "anonymised" if _notified(session, prescription, principal.id) else "none"


def usual_label(patient: Patient, principal: Principal) -> str | None:
    """« Professionnel de santé habituel : <nom> » for a usual professional of the patient (FAQ)."""
    if principal.role == Role.PROFESSIONAL and is_usual(patient, principal):
        return f"Professionnel de santé habituel : {principal.display_name}"
    return None


def require_visibility(session: Session, prescription: Prescription, principal: Principal) -> str:
    seen = visibility(session, prescription, principal)
    if seen == "none":
        raise Forbidden("forbidden", "Cette demande ne vous a pas été proposée")
    return seen


def _area(patient: Patient, full: bool, now: datetime) -> PatientArea:
    lat, lon, radius = patient.latitude, patient.longitude, None
    if not full and lat is not None and lon is not None:
        lat, lon, radius = approximate_area(lat, lon)
    elif not full:
        lat = lon = None
    return PatientArea(
        age=age_on(patient.birth_date, now.date()),
        sex=patient.sex,
        commune=patient.city,
        postal_code=patient.postal_code,
        approx_latitude=lat,
        approx_longitude=lon,
        approx_radius_km=radius,
    )


def view(
    session: Session,
    prescription: Prescription,
    seen: str,
    now: datetime,
    *,
    patient: Patient | None = None,
    accepted: User | None = None,
    usual: str | None = None,
    care: CareProgress | None = None,
    declined: list[int] | None = None,
) -> PrescriptionView:
    """``patient`` and ``accepted`` (the accepting user) when the caller loaded them already;
    ``usual`` the caller's « Professionnel de santé habituel » line; ``care`` the care loop;
    ``declined`` who declined the current round (`declined_in_round`), for staff only."""
    case = prescription.case
    patient = patient or session.get(Patient, case.patient_id)
    assert patient is not None
    if accepted is None and prescription.accepted_by:
        accepted = session.get(User, prescription.accepted_by)
    full = seen == "full"
    state = PrescriptionState(prescription.state)
    pending = state == PrescriptionState.PENDING
    return PrescriptionView(
        id=prescription.id,
        case_id=case.id,
        case_number=case.number,
        round=prescription.round,
        state=state,
        state_label=f"Accepté par {accepted.display_name}"
        if accepted and state == PrescriptionState.ACCEPTED
        else state.label,
        profession_code=prescription.profession_code,
        profession=PROFESSIONS[prescription.profession_code],
        care_type=prescription.care_type,
        care_mode=CareMode(prescription.care_mode),
        network_id=prescription.network_id,
        intervention_at=prescription.intervention_at,
        intervention_tz=prescription.intervention_tz,
        intervention_delay_minutes=prescription.intervention_delay_minutes,
        days=prescription.days,
        visits_per_day=prescription.visits_per_day,
        response_delay_minutes=prescription.response_delay_minutes,
        comment=prescription.comment,
        sent_at=prescription.sent_at,
        deadline_at=prescription.deadline_at,
        priority_until=prescription.priority_until,
        notified_count=prescription.notified_count,
        no_recipient=pending and prescription.notified_count == 0,
        declined_count=len(declined or ()),
        declined_user_ids=sorted(declined or ()),
        accepted_by=PersonRef(id=accepted.id, name=accepted.display_name) if accepted else None,
        accepted_at=prescription.accepted_at,
        started_at=prescription.started_at,
        finished_at=prescription.finished_at,
        closed_at=prescription.closed_at,
        report=prescription.report if full else None,
        cancel_reason=prescription.cancel_reason,
        requester={
            **{
                k: v
                for k, v in case.requester.items()
                if k in ("name", "profession", "profession_code", "rpps")
            },
            "user_id": case.requester_user_id,  # a registered requester (one may write to them)
        },
        caller=case.caller if full else None,
        area=_area(patient, full, now),
        patient=_identity(patient) if full else None,
        anonymised=not full,
        usual_label=usual,
        time_left_seconds=max(0, int((prescription.deadline_at - now).total_seconds())) if pending else None,
        care=care if full else None,
    )


def declined_in_round(session: Session, prescription_ids: Collection[int]) -> dict[int, list[int]]:
    """Who declined each prescription's current round, in one query for a whole page of the board
    (the notifications' primary key starts with the prescription and the round)."""
    if not prescription_ids:
        return {}
    rows = session.execute(
        select(Notification.prescription_id, Notification.user_id)
        .join(
            Prescription,
            and_(Prescription.id == Notification.prescription_id, Prescription.round == Notification.round),
        )
        .where(Notification.prescription_id.in_(prescription_ids), Notification.answer == "declined")
    )
    declined: dict[int, list[int]] = {}
    for prescription_id, user_id in rows:
        declined.setdefault(prescription_id, []).append(user_id)
    return declined


def _identity(patient: Patient) -> PatientIdentity:
    details = {name: getattr(patient, name) for name in ADDRESS_DETAILS if getattr(patient, name)}
    return PatientIdentity(
        id=patient.id,
        last_name=patient.last_name,
        first_name=patient.first_name,
        birth_date=patient.birth_date,
        phone=patient.phone,
        address_line=f"{patient.address_line}, {patient.postal_code} {patient.city}",
        address_details=details,
    )


def notifications(session: Session, prescription_id: int) -> list[NotificationView]:
    """Who was notified, when, what they answered, and whether the hotline recorded it by phone."""
    by_phone = {(a.round, a.user_id, a.answer): a for a in phone_answers(session, prescription_id)}
    rows = session.execute(
        select(Notification, User.display_name)
        .join(User, User.id == Notification.user_id)
        .where(Notification.prescription_id == prescription_id)
        .order_by(
            Notification.round,
            Notification.notified_at,
            Notification.distance_km.nulls_first(),  # usual professionals (no distance), then nearest
            Notification.user_id,
        )
    )
    return [
        NotificationView(
            user_id=n.user_id,
            name=name,
            round=n.round,
            usual=n.usual,
            distance_km=None if n.distance_km is None else round(n.distance_km, 2),
            notified_at=n.notified_at,
            seen_at=n.seen_at,
            answer=n.answer,
            answered_at=n.answered_at,
            on_behalf=on_behalf(phoned, show_operator=True)
            if (phoned := by_phone.get((n.round, n.user_id, n.answer or ""))) is not None
            else None,
        )
        for n, name in rows
    ]
