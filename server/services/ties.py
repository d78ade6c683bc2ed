"""What a professional is to a patient, which decides what they may read and write of them.

- A **usual professional** (« professionnel habituel », médecin traitant) — the patient's list
  holds their RPPS *now* — reads the patient's file and whole history, and their requests in full.
- An **acceptor** reads the patient's file and the history of the episodes (cases) where they
  accepted a prescription; once it has begun and until they end the series (« in care »), they
  also write the care record (advance directives, trusted persons) and the usual professionals.
- A **requester** (a professional who asked for care, through the app or the hotline) reads the
  file and the history of the cases they requested; the professional who created the file reads it.
- Everyone else: nothing (403, audited by the use cases).
Operators and supervisors read everything; a practice secretary what her professionals read
(server/services/practices.py); admins nothing (least privilege).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from server.models import Case, Patient, Prescription
from server.security.principal import STAFF, Principal
from server.services import practices
from shared.domain import PrescriptionState, Role

BEGUN = (PrescriptionState.STARTED.value, PrescriptionState.FINISHED.value)


@dataclass(frozen=True)
class PatientAccess:
    """What a caller may read of one patient: the file, and the history — all of it, or only the
    lines of `cases` (their episodes)."""

    whole_history: bool
    cases: frozenset[int]

    def shows(self, case_id: object) -> bool:
        return self.whole_history or case_id in self.cases


def is_usual(patient: Patient, principal: Principal) -> bool:
    return principal.rpps is not None and any(u.rpps == principal.rpps for u in patient.usual_professionals)


def episode_cases(session: Session, patient_id: int, user_id: int) -> frozenset[int]:
    """The patient's cases where this user accepted a prescription or is the requester."""
    accepted = (
        select(Prescription.case_id)
        .join(Case, Case.id == Prescription.case_id)
        .where(Case.patient_id == patient_id, Prescription.accepted_by == user_id)
    )
    requested = select(Case.id).where(
        Case.patient_id == patient_id, or_(Case.requester_user_id == user_id, Case.created_by == user_id)
    )
    return frozenset(session.scalars(accepted.union(requested)))


def patient_access(session: Session, patient: Patient, principal: Principal) -> PatientAccess | None:
    """None when the caller may not read this patient at all."""
    if principal.role == Role.SECRETARY:
        return _practice_access(session, patient, principal)
    if principal.role in STAFF or (principal.role == Role.PROFESSIONAL and is_usual(patient, principal)):
        return PatientAccess(whole_history=True, cases=frozenset())
    if principal.role != Role.PROFESSIONAL:
        return None
    cases = episode_cases(session, patient.id, principal.id)
    if cases or patient.created_by == principal.id:
        return PatientAccess(whole_history=False, cases=cases)
    return None


def in_care(session: Session, patient_id: int, user_id: int) -> bool:
    """The user accepted one of the patient's prescriptions, which has begun, and has not ended
    the series: they may write the care record and change the usual professionals."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    Case.patient_id == patient_id,
                    Prescription.case_id == Case.id,
                    Prescription.accepted_by == user_id,
                    Prescription.state.in_(BEGUN),
                    Prescription.series_ended_at.is_(None),
                )
            )
        )
    )


def co_treats(session: Session, prescription: Prescription, user_id: int) -> bool:
    """The user accepted another prescription of the same case (the same episode)."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    Prescription.case_id == prescription.case_id,
                    Prescription.id != prescription.id,
                    Prescription.accepted_by == user_id,
                )
            )
        )
    )


def _practice_access(session: Session, patient: Patient, principal: Principal) -> PatientAccess | None:
    """A practice secretary reads what her professionals read (server/services/practices.py)."""
    if not practices.sees_patient(session, principal.id, patient.id):
        return None
    if practices.whole_history(session, principal.id, patient.id):
        return PatientAccess(whole_history=True, cases=frozenset())
    cases = practices.practice_cases(session, principal.id, patient.id)
    return PatientAccess(whole_history=False, cases=cases)
