"""Use cases on a patient's file, for every front end: each opens its transaction, checks who may
(server/services/ties.py), and audits the read or write — a refusal too (server/services/acting.py).
"""

from __future__ import annotations

from server.errors import Forbidden
from server.services import patients
from server.services.acting import Acting
from server.services.patient_views import patient_out, usual_professionals_out
from server.services.ties import patient_access
from shared.schemas.patients import (
    PatientCreate,
    PatientOut,
    PatientPatch,
    TimelineEntry,
    UsualProfessionalIn,
    UsualProfessionalOut,
)

NOT_YOURS = "Vous n'intervenez pas auprès de ce patient"


def create(acting: Acting, body: PatientCreate) -> PatientOut:
    with acting.transaction("patient_create") as tx:
        patient = patients.create_patient(tx.session, body, acting.principal, acting.now)
        acting.audit(tx.session, "patient_create", patient_id=patient.id, status=201)
        return patient_out(tx.session, patient, acting.now.date())


def read(acting: Acting, patient_id: int) -> PatientOut:
    """The whole file (identity, address, care record, usual professionals) to whoever may see them."""
    with acting.transaction("patient_read") as tx:
        patient = patients.get_patient(tx.session, patient_id)
        tx.patient_id = patient.id
        if patient_access(tx.session, patient, acting.principal) is None:
            raise Forbidden("forbidden", NOT_YOURS)
        acting.audit(tx.session, "patient_read", patient_id=patient.id)
        return patient_out(tx.session, patient, acting.now.date())


def history(acting: Acting, patient_id: int) -> list[TimelineEntry]:
    """The patient's « Historique », newest first: all of it for the staff and the usual
    professionals, the lines of their own episodes for an acceptor or a requester."""
    with acting.transaction("patient_timeline") as tx:
        patient = patients.get_patient(tx.session, patient_id)
        tx.patient_id = patient.id
        access = patient_access(tx.session, patient, acting.principal)
        if access is None:
            raise Forbidden("forbidden", NOT_YOURS)
        events = [e for e in patients.timeline(tx.session, patient_id) if access.shows(e.data.get("case_id"))]
        names = patients.user_names(tx.session, {e.user_id for e in events if e.user_id is not None})
        scope = "all" if access.whole_history else sorted(access.cases)
        acting.audit(tx.session, "patient_timeline", patient_id=patient.id, scope=scope)
        return [
            TimelineEntry(
                at=e.at,
                kind=e.kind,
                label=e.label,
                by=names.get(e.user_id) if e.user_id else None,
                data=e.data,
            )
            for e in events
        ]


def patch(acting: Acting, patient_id: int, body: PatientPatch) -> PatientOut:
    with acting.transaction("patient_update", fields=sorted(body.changes())) as tx:
        tx.patient_id = patient_id
        patient = patients.update_patient(tx.session, patient_id, body, acting.principal, acting.now)
        acting.audit(tx.session, "patient_update", patient_id=patient_id, fields=sorted(body.changes()))
        return patient_out(tx.session, patient, acting.now.date())


def set_usual(
    acting: Acting, patient_id: int, items: list[UsualProfessionalIn]
) -> list[UsualProfessionalOut]:
    rpps = [i.rpps for i in items]
    with acting.transaction("patient_usual_professionals", rpps=rpps) as tx:
        tx.patient_id = patient_id
        who, now = acting.principal, acting.now
        patient = patients.set_usual_professionals(tx.session, patient_id, items, who, now)
        acting.audit(tx.session, "patient_usual_professionals", patient_id=patient_id, rpps=rpps)
        return usual_professionals_out(tx.session, patient)
