"""Use cases on a patient's file, for every front end: each opens its transaction, checks who may
(server/services/ties.py), and audits the read or write — a refusal too (server/services/acting.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from server.errors import Forbidden, Invalid
from server.models import Patient
from server.security.principal import STAFF
from server.services import patients
from server.services.acting import Acting
from server.services.identity_vigilance import evidence_detail
from server.services.patient_views import patient_out, usual_professionals_out
from server.services.request_history import request_steps
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
# The identity vigilance's refusals (RNIV), audited like role refusals: who tried which status on what.
IDENTITY_REFUSALS = frozenset(
    {
        "identity_evidence_missing",
        "ins_incomplete",
        "insi_unknown",
        "insi_mismatch",
        "identity_document_minor_only",
        "identity_document_parent_missing",
    }
)


@contextmanager
def _identity_refusals_audited(
    acting: Acting, attempted: str, patient_id: int | None, claimed: dict[str, Any]
) -> Iterator[None]:
    try:
        yield
    except Invalid as refusal:
        if refusal.code in IDENTITY_REFUSALS:
            with acting.db.session() as session:
                acting.audit(
                    session,
                    "identity_refused",
                    patient_id=patient_id,
                    status=422,
                    attempted=attempted,
                    reason=refusal.code,
                    **claimed,
                )
        raise


def _claimed(body: PatientCreate | PatientPatch) -> dict[str, Any]:
    """The status and evidence a body claims (types and references only, no identity)."""
    document = body.identity_document
    return {
        "identity_status": body.identity_status.value if body.identity_status else None,
        "document": document.type.value if document else None,
        "parent_document": document.parent.document.value if document and document.parent else None,
        "insi_reference": body.insi_reference,
    }


def _audit_evidence(
    acting: Acting, tx_session: Any, patient: Patient, body: PatientCreate | PatientPatch
) -> None:
    if body.identity_document is not None or body.insi_reference is not None:
        detail = evidence_detail(patient.identity_evidence or {})
        acting.audit(
            tx_session,
            "identity_evidence",
            patient_id=patient.id,
            identity_status=patient.identity_status,
            **detail,
        )


def create(acting: Acting, body: PatientCreate) -> PatientOut:
    with (
        _identity_refusals_audited(acting, "patient_create", None, _claimed(body)),
        acting.transaction("patient_create") as tx,
    ):
        patient = patients.create_patient(tx.session, body, acting.principal, acting.now)
        acting.audit(tx.session, "patient_create", patient_id=patient.id, status=201)
        _audit_evidence(acting, tx.session, patient, body)
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
        show_operator = acting.principal.role in STAFF
        steps = [
            TimelineEntry(at=s.at, kind=s.kind, label=s.label, by=s.by, data=s.data)
            for s in request_steps(tx.session, patient.id, show_operator=show_operator)
            if access.shows(s.data["case_id"])
        ]
        own = [
            TimelineEntry(
                at=e.at,
                kind=e.kind,
                label=e.label,
                by=names.get(e.user_id) if e.user_id else None,
                data=e.data,
            )
            for e in events
        ]
        # Newest first; at the same instant a request's step above its case's line (stable sort).
        return sorted(steps + own, key=lambda entry: entry.at, reverse=True)


def patch(acting: Acting, patient_id: int, body: PatientPatch) -> PatientOut:
    with (
        _identity_refusals_audited(acting, "patient_update", patient_id, _claimed(body)),
        acting.transaction("patient_update", fields=sorted(body.changes())) as tx,
    ):
        tx.patient_id = patient_id
        patient = patients.update_patient(tx.session, patient_id, body, acting.principal, acting.now)
        acting.audit(tx.session, "patient_update", patient_id=patient_id, fields=sorted(body.changes()))
        _audit_evidence(acting, tx.session, patient, body)
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
