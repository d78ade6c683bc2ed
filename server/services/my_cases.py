"""A professional's lists (seeds 000: « Tableau de bord ») and their offers.

- **care** (« Patients en Soins »): what I accepted and have not archived — accepted, started,
  and finished until I end the series (the FAQ: finish, write the report, then « Fin série de
  soins »);
- **coordination** (« Patients en Coordination »): the other prescriptions, still in care by
  someone (accepted, started, finished and not archived), of the cases where I accepted one
  (« les patients chez lesquels vous êtes intervenus et qui, pour le même évènement médical, sont
  encore pris en charge par d'autres professionnels »), and of the patients whose usual
  professional I am now;
- **requests** (« Mes Déclenchements »): every prescription of the cases I requested (through the
  app or the hotline on my behalf) or created;
- **archive** (« Mes archives »): the series I ended.
Every item is a prescription I see in full, so each list is audited as a read of patient data,
one entry per prescription shown. Lists show the latest 200.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from server.models import Case, Notification, Patient, Prescription, User, UsualProfessional
from server.security.principal import Principal
from server.services import care
from server.services.acting import Acting
from server.services.prescription_views import usual_label, view
from server.services.ties import is_usual
from shared.domain import PrescriptionState
from shared.schemas.dispatch import PrescriptionView
from shared.schemas.professional import SECTION_LABELS, MyCases, Section

LIST_MAX = 200
_ACCEPTED, _STARTED, _FINISHED = (
    PrescriptionState.ACCEPTED.value,
    PrescriptionState.STARTED.value,
    PrescriptionState.FINISHED.value,
)


def _in_care() -> ColumnElement[bool]:
    """Someone holds it and has not archived it."""
    held = Prescription.state.in_((_ACCEPTED, _STARTED, _FINISHED))
    return and_(held, Prescription.series_ended_at.is_(None))


def _query(principal: Principal, section: Section) -> Select[Prescription]:
    me = principal.id
    query = select(Prescription).join(Case, Case.id == Prescription.case_id)
    latest = (Prescription.sent_at.desc(), Prescription.id.desc())
    if section == "care":
        mine = query.where(Prescription.accepted_by == me, _in_care())
        return mine.order_by(Prescription.accepted_at.desc(), Prescription.id.desc())
    if section == "archive":
        ended = query.where(Prescription.accepted_by == me, Prescription.series_ended_at.is_not(None))
        return ended.order_by(Prescription.series_ended_at.desc(), Prescription.id.desc())
    if section == "requests":
        return query.where(or_(Case.requester_user_id == me, Case.created_by == me)).order_by(*latest)
    accepted_cases = select(Prescription.case_id).where(Prescription.accepted_by == me)
    tied = [Case.id.in_(accepted_cases)]
    if principal.rpps:
        usual = select(UsualProfessional.patient_id).where(UsualProfessional.rpps == principal.rpps)
        tied.append(Case.patient_id.in_(usual))
    others = or_(Prescription.accepted_by.is_(None), Prescription.accepted_by != me)
    return query.where(or_(*tied), others, _in_care()).order_by(*latest)


def offers_count(session: Session, user_id: int) -> int:
    """Offers waiting for my answer now (through the partial index of open notifications)."""
    query = (
        select(func.count())
        .select_from(Notification)
        .join(
            Prescription,
            and_(Prescription.id == Notification.prescription_id, Prescription.round == Notification.round),
        )
        .where(
            Notification.user_id == user_id,
            Notification.answer.is_(None),
            Prescription.state == PrescriptionState.PENDING.value,
        )
    )
    return int(session.scalar(query) or 0)


def _views(
    session: Session, rows: Sequence[Prescription], acting: Acting, offered_as_usual: set[int] | None = None
) -> list[PrescriptionView]:
    """Views of a list, its patients, acceptors and care loops read in one query each. Lists of
    cases hold what I see in full; offers (`offered_as_usual` given: the offers I had as a usual
    professional) are anonymised but for the patients whose usual professional I am."""
    patient_ids = {p.case.patient_id for p in rows}
    patients = {p.id: p for p in session.scalars(select(Patient).where(Patient.id.in_(patient_ids)))}
    seen = dict.fromkeys((p.id for p in rows), "full")
    if offered_as_usual is not None:
        for p in rows:
            usual = p.id in offered_as_usual or is_usual(patients[p.case.patient_id], acting.principal)
            seen[p.id] = "full" if usual else "anonymised"
    user_ids = {p.accepted_by for p in rows if p.accepted_by is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    progress = care.progress(session, [p for p in rows if seen[p.id] == "full"])
    return [
        view(
            session,
            p,
            seen[p.id],
            acting.now,
            patient=patients[p.case.patient_id],
            accepted=users.get(p.accepted_by) if p.accepted_by else None,
            usual=usual_label(patients[p.case.patient_id], acting.principal),
            care=progress.get(p.id),
        )
        for p in rows
    ]


def my_cases(acting: Acting, section: Section) -> MyCases:
    with acting.transaction("my_cases", section=section) as tx:
        query = _query(acting.principal, section).options(contains_eager(Prescription.case)).limit(LIST_MAX)
        rows = list(tx.session.scalars(query))
        items = _views(tx.session, rows, acting)
        acting.audit_each(
            tx.session,
            "my_cases",
            [(p.case.patient_id, {"prescription_id": p.id, "section": section}) for p in rows],
        )
        return MyCases(
            section=section,
            label=SECTION_LABELS[section],
            items=items,
            offers_count=offers_count(tx.session, acting.principal.id),
        )


def offers(acting: Acting) -> list[PrescriptionView]:
    """Pending prescriptions of whose current round I was notified and that I have not answered:
    anonymised, or in full for a usual professional (whose reads are audited)."""
    with acting.transaction("my_offers") as tx:
        rows = tx.session.execute(
            select(Prescription, Notification.usual)
            .join(Notification, Notification.prescription_id == Prescription.id)
            .where(
                Notification.user_id == acting.principal.id,
                Notification.round == Prescription.round,
                Notification.answer.is_(None),
                Prescription.state == PrescriptionState.PENDING.value,
            )
            .order_by(Prescription.deadline_at, Prescription.id)
        ).all()
        prescriptions = [p for p, _ in rows]
        items = _views(tx.session, prescriptions, acting, {p.id for p, usual in rows if usual})
        full = [p for p, v in zip(prescriptions, items, strict=True) if not v.anonymised]
        entries: list[tuple[int | None, dict[str, Any]]] = [
            (p.case.patient_id, {"prescription_id": p.id}) for p in full
        ]
        acting.audit_each(tx.session, "prescription_read_full", entries)
        return items


def count(acting: Acting) -> int:
    with acting.transaction("my_offers_count") as tx:
        return offers_count(tx.session, acting.principal.id)
