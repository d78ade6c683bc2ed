"""The hotline's « Professionnels » view (issue 16): find a registered professional who phones in,
and read what the operator needs on the phone with them — their status, their open offers (with
the time left; the hotline is staff, so it sees the patient) and what they have in care.

Searching reads no patient data; reading a professional's offers and patients in care does, so
it is audited, one entry per prescription shown (`professional_offers_read`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.orm import Session

from server.errors import Forbidden, NotFound
from server.models import Case, Notification, Patient, Prescription, ProfessionalProfile, User
from server.security.principal import Principal
from server.services.acting import Acting
from server.services.profile import profile_out
from shared.domain import PROFESSIONS, Availability, CareMode, PrescriptionState, Role
from shared.schemas.hotline_professionals import (
    SEARCH_LIMIT_MAX,
    CareItem,
    OpenOffer,
    ProfessionalStatus,
    ProfessionalSummary,
)
from shared.validation import ValidationFailure
from shared.validation.names import name_compact_key
from shared.validation.phones import normalize_phone

HOTLINE = (Role.OPERATOR, Role.SUPERVISOR)
NOT_HOTLINE = "Réservé à la centrale (opérateurs et superviseurs)"
PHONE_DIGITS_MIN = 8  # characters of the shortest phone number looked up (0 and 8 digits, or +…)


def require_hotline(principal: Principal) -> None:
    if principal.role not in HOTLINE:
        raise Forbidden("hotline_only", NOT_HOTLINE)


def professional_profile(session: Session, user_id: int, *, lock: bool = False) -> ProfessionalProfile:
    """The registered professional `user_id`, or a French 404."""
    profile = session.get(ProfessionalProfile, user_id, with_for_update=lock)
    if profile is None or profile.user.role != Role.PROFESSIONAL.value:
        raise NotFound(
            "professional_not_found", "Professionnel introuvable : il n'est pas inscrit sur la plateforme"
        )
    return profile


def _status_now(profile: ProfessionalProfile, now: datetime) -> tuple[Availability, str, datetime | None]:
    paused = profile.unavailable_until is not None and profile.unavailable_until > now
    if paused and profile.unavailable_until is not None:
        local = profile.unavailable_until.astimezone(ZoneInfo(profile.timezone))
        label = f"Indisponible jusqu'au {local:%d/%m} à {local:%H:%M}"
        return Availability.UNAVAILABLE, label, profile.unavailable_until
    status = Availability(profile.availability)
    return status, status.label, None


def summary(profile: ProfessionalProfile, now: datetime) -> ProfessionalSummary:
    status, label, until = _status_now(profile, now)
    return ProfessionalSummary(
        user_id=profile.user_id,
        display_name=profile.user.display_name,
        last_name=profile.last_name,
        first_name=profile.first_name,
        rpps=profile.rpps,
        profession_code=profile.profession_code,
        profession=PROFESSIONS.get(profile.profession_code, profile.profession_code),
        phone=profile.phone,
        commune=profile.commune_name,
        postal_code=profile.postal_code,
        active=profile.user.active,
        availability=status,
        availability_label=label,
        unavailable_until=until,
    )


def _criteria(query: Select[ProfessionalProfile], q: str) -> Select[ProfessionalProfile]:
    """Each word narrows: a name prefix (last or first name, accents and case ignored), an RPPS
    prefix, or a phone number in any French notation."""
    compact = "".join(c for c in q if c not in " .-/()")
    looks_like_phone = compact[:1] in ("+", "0") and compact[1:].isdigit() and len(compact) > PHONE_DIGITS_MIN
    if looks_like_phone:
        try:
            by_phone = ProfessionalProfile.phone == normalize_phone(q)
        except ValidationFailure:
            by_phone = false()
        if compact.isdigit():  # a valid RPPS may start with 0 too (11 digits and a Luhn key)
            return query.where(or_(by_phone, ProfessionalProfile.rpps.startswith(compact, autoescape=True)))
        return query.where(by_phone)
    for word in q.split():
        if word.isdigit():
            query = query.where(ProfessionalProfile.rpps.startswith(word, autoescape=True))
            continue
        key = name_compact_key(word)
        if key:
            query = query.where(
                or_(
                    ProfessionalProfile.last_name_key.startswith(key, autoescape=True),
                    ProfessionalProfile.first_name_key.startswith(key, autoescape=True),
                )
            )
    return query


def search(
    acting: Acting, q: str, profession: str | None, commune: str | None, limit: int
) -> list[ProfessionalSummary]:
    """Registered professionals by name, RPPS or phone (`q`), profession code and practice commune
    (a name prefix, a postal code or an INSEE code), in name order."""
    with acting.transaction("professional_search") as tx:
        require_hotline(acting.principal)
        query = select(ProfessionalProfile).join(User, User.id == ProfessionalProfile.user_id)
        query = _criteria(query, q)
        if profession:
            query = query.where(ProfessionalProfile.profession_code == profession)
        if commune:
            place = commune.strip()
            query = query.where(
                or_(
                    ProfessionalProfile.commune_insee == place,
                    ProfessionalProfile.postal_code == place,
                    ProfessionalProfile.commune_name.istartswith(place, autoescape=True),
                )
            )
        query = query.order_by(
            ProfessionalProfile.last_name_key, ProfessionalProfile.first_name_key, ProfessionalProfile.user_id
        ).limit(min(limit, SEARCH_LIMIT_MAX))
        return [summary(p, acting.now) for p in tx.session.scalars(query)]


def _patient_name(patient: Patient) -> str:
    return f"{patient.last_name.upper()} {patient.first_name}"


def open_offers(session: Session, user_id: int, now: datetime) -> list[tuple[OpenOffer, int]]:
    """(offer, patient id) of every open offer of the professional, the soonest deadline first."""
    rows = session.execute(
        select(Notification, Prescription, Case, Patient)
        .join(
            Prescription,
            and_(Prescription.id == Notification.prescription_id, Prescription.round == Notification.round),
        )
        .join(Case, Case.id == Prescription.case_id)
        .join(Patient, Patient.id == Case.patient_id)
        .where(
            Notification.user_id == user_id,
            Notification.answer.is_(None),
            Prescription.state == PrescriptionState.PENDING.value,
            Prescription.deadline_at > now,
        )
        .order_by(Prescription.deadline_at, Prescription.id)
    ).all()
    offers = []
    for notification, prescription, case, patient in rows:
        mode = CareMode(prescription.care_mode)
        offer = OpenOffer(
            prescription_id=prescription.id,
            case_id=case.id,
            case_number=case.number,
            round=prescription.round,
            profession=PROFESSIONS.get(prescription.profession_code, prescription.profession_code),
            care_type=prescription.care_type,
            care_mode=mode,
            care_mode_label=mode.label,
            commune=patient.city,
            patient_name=_patient_name(patient),
            usual=notification.usual,
            comment=prescription.comment,
            notified_at=notification.notified_at,
            seen_at=notification.seen_at,
            deadline_at=prescription.deadline_at,
            time_left_seconds=max(0, int((prescription.deadline_at - now).total_seconds())),
        )
        offers.append((offer, patient.id))
    return offers


def in_care(session: Session, user_id: int) -> list[tuple[CareItem, int]]:
    """(item, patient id) of what the professional accepted and has not finished, latest first."""
    held = (PrescriptionState.ACCEPTED.value, PrescriptionState.STARTED.value)
    rows = session.execute(
        select(Prescription, Case, Patient)
        .join(Case, Case.id == Prescription.case_id)
        .join(Patient, Patient.id == Case.patient_id)
        .where(Prescription.accepted_by == user_id, Prescription.state.in_(held))
        .order_by(Prescription.accepted_at.desc(), Prescription.id.desc())
        .limit(SEARCH_LIMIT_MAX)
    ).all()
    items = []
    for prescription, case, patient in rows:
        state = PrescriptionState(prescription.state)
        item = CareItem(
            prescription_id=prescription.id,
            case_number=case.number,
            care_type=prescription.care_type,
            state=state,
            state_label=state.label,
            patient_name=_patient_name(patient),
            accepted_at=prescription.accepted_at,
        )
        items.append((item, patient.id))
    return items


def status_of(session: Session, acting: Acting, user_id: int) -> ProfessionalStatus:
    """The professional's status, offers and patients in care, the patients shown audited."""
    profile = professional_profile(session, user_id)
    profile_view = profile_out(session, profile, acting.now)
    offers = open_offers(session, user_id, acting.now)
    care = in_care(session, user_id)
    shown: list[tuple[int | None, dict[str, Any]]] = [
        (pid, {"prescription_id": o.prescription_id, "professional_id": user_id}) for o, pid in offers
    ]
    shown += [(pid, {"prescription_id": c.prescription_id, "professional_id": user_id}) for c, pid in care]
    acting.audit_each(session, "professional_offers_read", shown)
    return ProfessionalStatus(
        professional=summary(profile, acting.now),
        resumes_as=profile_view.resumes_as,
        radius_km=profile.radius_km,
        care_modes=profile_view.care_modes,
        served_communes=profile_view.served_communes,
        timezone=profile.timezone,
        open_offers=[o for o, _ in offers],
        in_care=[c for c, _ in care],
    )


def status(acting: Acting, user_id: int) -> ProfessionalStatus:
    with acting.transaction("professional_offers_read", professional_id=user_id) as tx:
        require_hotline(acting.principal)
        return status_of(tx.session, acting, user_id)
