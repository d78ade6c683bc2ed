"""The care loop of the responder who accepted: visits, reports, finish, end of the series.

Only the acceptor acts here (403 for anyone else, audited by the use cases). The rules:
- **visit** (« passage »): on an accepted or started prescription — a first visit on an accepted
  one starts it; counted against the planned days × visits per day (no more than planned); its
  time is now by default, never in the future nor before the acceptance.
- **report** (« CR »): once the care has begun (started or finished), as many as needed; `finish`
  writes its report the same way, then closes the intervention.
- **end of series** (« Fin série de soins »): once begun and with at least one report (the FAQ:
  « Lorsque vous aurez répondu à la demande du déclencheur et rempli un bilan… »); finishes a
  started prescription, and the file moves to the acceptor's « Mes archives ».
Nothing changes after the end of the series. Each step leaves a line in the patient's history
(the hotline's « Horodatage » and the professionals' « Historique ») and a typed feed event; the
prescription row is locked first and the events come last, as everywhere.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.errors import Conflict, Invalid
from server.models import CareReport, CareVisit, Prescription
from server.security.principal import Principal
from server.services import doctor_informed, feed
from server.services.answers import begin, close_finished, locked, ordinal, own, state_conflict
from server.services.exchanges import author_names, shorten, timeline_line
from shared.domain import PrescriptionState
from shared.schemas.care import CareProgress, ReportOut, VisitCreate, VisitOut
from shared.schemas.common import PersonRef
from shared.schemas.feed import (
    PatientReport,
    PatientSeriesEnded,
    PatientVisit,
    PrescriptionReported,
    PrescriptionSeriesEnded,
    PrescriptionVisited,
)

FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks of phones and servers differ a little
BEGUN = (PrescriptionState.STARTED.value, PrescriptionState.FINISHED.value)


def planned(prescription: Prescription) -> int:
    return prescription.days * prescription.visits_per_day


def visit_label(number: int, of: int) -> str:
    """« 2e passage sur 6 »."""
    return f"{ordinal(number)} passage sur {of}" if number else f"Aucun passage sur {of}"


def _acting_on(session: Session, prescription_id: int, by: Principal) -> Prescription:
    """The prescription, locked, if `by` accepted it and has not ended the series."""
    prescription = locked(session, prescription_id)
    own(session, prescription, by)
    if prescription.series_ended_at is not None:
        raise Conflict("series_ended", "La série de soins est terminée : le dossier est archivé")
    return prescription


def _require_begun(prescription: Prescription) -> None:
    if prescription.state == PrescriptionState.ACCEPTED.value:
        raise Conflict(
            "not_started", "Les soins n'ont pas encore débuté", state=PrescriptionState.ACCEPTED.value
        )
    if prescription.state not in BEGUN:
        raise state_conflict(prescription)


def add_visit(
    session: Session, prescription_id: int, body: VisitCreate, by: Principal, now: datetime
) -> Prescription:
    prescription = _acting_on(session, prescription_id, by)
    at = body.at or now
    if at > now + FUTURE_TOLERANCE:
        raise Invalid("visit_in_future", "La date du passage est dans le futur")
    if prescription.accepted_at is not None and at < prescription.accepted_at:
        raise Invalid("visit_before_acceptance", "Le passage ne peut pas précéder l'acceptation")
    if prescription.state not in (PrescriptionState.ACCEPTED.value, PrescriptionState.STARTED.value):
        raise state_conflict(prescription)
    of = planned(prescription)
    done = session.scalar(
        select(func.count()).select_from(CareVisit).where(CareVisit.prescription_id == prescription.id)
    )
    if (done or 0) >= of:
        raise Conflict("visits_complete", f"Les {of} passages prévus sont déjà enregistrés")
    number = (done or 0) + 1
    if prescription.state == PrescriptionState.ACCEPTED.value:
        begin(session, prescription, by, now)  # the first visit starts the care
    visit = CareVisit(prescription_id=prescription.id, user_id=by.id, at=at, note=body.note, recorded_at=now)
    session.add(visit)
    session.flush()
    note = f" : {body.note}" if body.note else ""
    label = f"{visit_label(number, of)} par {by.display_name}{note}"
    timeline_line(session, prescription, now, PatientVisit, label, by, visit_id=visit.id)
    visited = PrescriptionVisited(visit_id=visit.id, user_id=by.id, done=number, planned=of)
    feed.append_prescription_event(session, prescription, visited, now)
    return prescription


def _write_report(
    session: Session, prescription: Prescription, text: str, by: Principal, now: datetime
) -> None:
    report = CareReport(prescription_id=prescription.id, user_id=by.id, text=text, at=now)
    session.add(report)
    session.flush()
    label = f"Compte rendu de {by.display_name} : {text}"
    timeline_line(session, prescription, now, PatientReport, label, by, report_id=report.id)
    doctor_informed.inform_on_report(session, prescription, report.id, by, now)
    reported = PrescriptionReported(report_id=report.id, user_id=by.id)
    feed.append_prescription_event(session, prescription, reported, now)


def add_report(
    session: Session, prescription_id: int, text: str, by: Principal, now: datetime
) -> Prescription:
    prescription = _acting_on(session, prescription_id, by)
    _require_begun(prescription)
    _write_report(session, prescription, text, by, now)
    return prescription


def finish(session: Session, prescription_id: int, by: Principal, report: str, now: datetime) -> Prescription:
    """« Terminer » with its report: the report is one of the prescription's reports."""
    prescription = _acting_on(session, prescription_id, by)
    if prescription.state != PrescriptionState.STARTED.value:
        raise state_conflict(prescription)
    prescription.report = report
    _write_report(session, prescription, report, by, now)
    close_finished(session, prescription, by, now)
    return prescription


def end_series(session: Session, prescription_id: int, by: Principal, now: datetime) -> Prescription:
    prescription = _acting_on(session, prescription_id, by)
    _require_begun(prescription)
    written = select(CareReport.id).where(CareReport.prescription_id == prescription.id).limit(1)
    if session.scalar(written) is None:
        raise Conflict("report_required", "Rédigez un compte rendu avant de terminer la série de soins")
    if prescription.state == PrescriptionState.STARTED.value:
        close_finished(session, prescription, by, now)
    prescription.series_ended_at = now
    label = f"Fin série de soins par {by.display_name} ({shorten(prescription.care_type, 100)})"
    timeline_line(session, prescription, now, PatientSeriesEnded, label, by)
    ended = PrescriptionSeriesEnded(round=prescription.round, user_id=by.id, state=prescription.state)
    feed.append_prescription_event(session, prescription, ended, now)
    return prescription


def _person(user_id: int, names: dict[int, str]) -> PersonRef:
    return PersonRef(id=user_id, name=names.get(user_id, ""))


def progress(session: Session, prescriptions: list[Prescription]) -> dict[int, CareProgress]:
    """The care loop of each accepted prescription of the list, read in one query per table."""
    ids = [p.id for p in prescriptions if p.accepted_by is not None]
    if not ids:
        return {}
    visits = list(
        session.scalars(select(CareVisit).where(CareVisit.prescription_id.in_(ids)).order_by(CareVisit.id))
    )
    reports = list(
        session.scalars(
            select(CareReport)
            .where(CareReport.prescription_id.in_(ids))
            .order_by(CareReport.at, CareReport.id)
        )
    )
    names = author_names(session, {v.user_id for v in visits} | {r.user_id for r in reports})
    visits_of: dict[int, list[CareVisit]] = {}
    for visit in visits:
        visits_of.setdefault(visit.prescription_id, []).append(visit)
    reports_of: dict[int, list[CareReport]] = {}
    for report in reports:
        reports_of.setdefault(report.prescription_id, []).append(report)
    found: dict[int, CareProgress] = {}
    for prescription in (p for p in prescriptions if p.accepted_by is not None):
        of = planned(prescription)
        mine = visits_of.get(prescription.id, [])
        found[prescription.id] = CareProgress(
            visits_done=len(mine),
            visits_planned=of,
            label=visit_label(len(mine), of),
            visits=[
                VisitOut(
                    id=v.id,
                    number=n,
                    label=visit_label(n, of),
                    at=v.at,
                    note=v.note,
                    by=_person(v.user_id, names),
                    recorded_at=v.recorded_at,
                )
                for n, v in enumerate(mine, start=1)
            ],
            reports=[
                ReportOut(id=r.id, text=r.text, author=_person(r.user_id, names), at=r.at)
                for r in reports_of.get(prescription.id, [])
            ],
            series_ended_at=prescription.series_ended_at,
        )
    return found
