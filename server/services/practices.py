"""A practice secretary's professionals (« secrétaire de cabinet », issue 17, item 16).

The FAQ: « seuls les professionnels de santé intervenant auprès d'un patient et son médecin
traitant » see a patient. A secretary works for one or more professionals (her practice, table
`secretary_of`, set by an admin) and sees, on their behalf, the patients they would:
- the patients of her practice's requests: cases requested or created by one of her professionals,
  or created by herself, and the files they or she created;
- the patients whose usual professional (médecin traitant) is one of her professionals.
Hotline operators keep the platform-wide view; supervisors their networks' (server/services/board.py).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, delete, exists, insert, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from server.errors import Invalid, not_found
from server.models import Case, Patient, ProfessionalProfile, User, UsualProfessional, secretary_of
from server.services.acting import Acting
from shared.domain import Role
from shared.schemas.admin import PracticeOut


def professionals_of(secretary_id: int) -> Select[tuple[int]]:
    return select(secretary_of.c.professional_user_id).where(secretary_of.c.secretary_user_id == secretary_id)


def _practice_rpps(secretary_id: int) -> Select[str]:
    return select(ProfessionalProfile.rpps).where(
        ProfessionalProfile.user_id.in_(professionals_of(secretary_id))
    )


def _case_of_practice(secretary_id: int) -> ColumnElement[bool]:
    """On `Case`: requested or created by one of her professionals, or created by her."""
    doctors = professionals_of(secretary_id)
    return or_(
        Case.created_by == secretary_id, Case.requester_user_id.in_(doctors), Case.created_by.in_(doctors)
    )


def _usual_of_practice(patient_id: InstrumentedAttribute[int], secretary_id: int) -> ColumnElement[bool]:
    return exists().where(
        and_(
            UsualProfessional.patient_id == patient_id,
            UsualProfessional.rpps.in_(_practice_rpps(secretary_id)),
        )
    )


def patients_condition(secretary_id: int) -> ColumnElement[bool]:
    """On `Patient`: the patients this secretary may see."""
    by_case = exists().where(and_(Case.patient_id == Patient.id, _case_of_practice(secretary_id)))
    return or_(
        by_case,
        _usual_of_practice(Patient.id, secretary_id),
        Patient.created_by == secretary_id,
        Patient.created_by.in_(professionals_of(secretary_id)),
    )


def cases_condition(secretary_id: int) -> ColumnElement[bool]:
    """On `Case`: the cases of the board and lists this secretary may see."""
    return or_(_case_of_practice(secretary_id), _usual_of_practice(Case.patient_id, secretary_id))


def sees_patient(session: Session, secretary_id: int, patient_id: int) -> bool:
    query = select(Patient.id).where(Patient.id == patient_id, patients_condition(secretary_id))
    return session.scalar(query) is not None


def sees_case(session: Session, secretary_id: int, case_id: int) -> bool:
    """Whether this case is one of her practice's (its requests, or her professionals' patients)."""
    query = select(Case.id).where(Case.id == case_id, cases_condition(secretary_id))
    return session.scalar(query) is not None


def whole_history(session: Session, secretary_id: int, patient_id: int) -> bool:
    """Whether one of her professionals is the patient's usual professional (who reads it all)."""
    query = select(UsualProfessional.id).where(
        UsualProfessional.patient_id == patient_id, UsualProfessional.rpps.in_(_practice_rpps(secretary_id))
    )
    return session.scalar(query.limit(1)) is not None


def practice_cases(session: Session, secretary_id: int, patient_id: int) -> frozenset[int]:
    query = select(Case.id).where(Case.patient_id == patient_id, _case_of_practice(secretary_id))
    return frozenset(session.scalars(query))


# ---- the back office ----------------------------------------------------------------------------


def practice_names(session: Session, secretary_id: int) -> list[str]:
    """The names of a secretary's professionals (her « Service » on the desktop), sorted."""
    return sorted(
        session.scalars(select(User.display_name).where(User.id.in_(professionals_of(secretary_id))))
    )


def _secretary(session: Session, user_id: int) -> User:
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise not_found("Utilisateur")
    if user.role != Role.SECRETARY.value:
        raise Invalid(
            "practice_secretary_only", "Seul un compte de secrétaire travaille pour des professionnels"
        )
    return user


def _current(session: Session, secretary_id: int) -> list[int]:
    return sorted(session.scalars(professionals_of(secretary_id)))


def read(acting: Acting, user_id: int) -> PracticeOut:
    with acting.transaction("admin_practice_read", target_user_id=user_id) as tx:
        _secretary(tx.session, user_id)
        return PracticeOut(secretary_user_id=user_id, professional_ids=_current(tx.session, user_id))


def replace(acting: Acting, user_id: int, professional_ids: list[int]) -> PracticeOut:
    """The secretary now works for exactly these professionals; audited with what changed."""
    wanted = sorted(set(professional_ids))
    with acting.transaction("admin_practice_update", target_user_id=user_id) as tx:
        secretary = _secretary(tx.session, user_id)
        found = (
            set(
                tx.session.scalars(
                    select(User.id).where(User.id.in_(wanted), User.role == Role.PROFESSIONAL.value)
                )
            )
            if wanted
            else set()
        )
        unknown = [i for i in wanted if i not in found]
        if unknown:
            raise Invalid(
                "professional_unknown",
                f"Professionnel inconnu : {', '.join(map(str, unknown))} "
                "(un compte de professionnel est attendu)",
            )
        before = _current(tx.session, user_id)
        tx.session.execute(delete(secretary_of).where(secretary_of.c.secretary_user_id == user_id))
        if wanted:
            rows = [{"secretary_user_id": user_id, "professional_user_id": p} for p in wanted]
            tx.session.execute(insert(secretary_of), rows)
        if before != wanted:
            acting.audit(
                tx.session,
                "admin_user_practice",
                target_user_id=user_id,
                target=secretary.username,
                changes={"professional_ids": [before, wanted]},
            )
        return PracticeOut(secretary_user_id=user_id, professional_ids=wanted)
