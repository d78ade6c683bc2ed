"""Use cases of the exchanges on a prescription — comments (« notes »), documents, incidents —
for every front end, like server/services/prescription_actions.py: each opens its transaction,
applies the rules of server/services/exchanges.py, documents.py and incidents.py, audits the read
or write of patient data, and audits a refusal (server/services/acting.py). The professionals'
pages (server/web/pages/care.py) and the JSON routes (server/api/routes/exchanges.py,
incidents.py) both call them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from server.errors import Forbidden
from server.models import Prescription
from server.services import documents, exchanges, incidents
from server.services.acting import Acting, Tx
from shared.schemas.exchanges import CommentCreate, CommentOut, DocumentOut, IncidentCreate, IncidentOut


@dataclass(frozen=True)
class Exchanges:
    """What a prescription's page shows of its exchanges: None where the caller may not see them."""

    comments: list[CommentOut] | None
    documents: list[DocumentOut] | None
    incidents: list[IncidentOut]


@contextmanager
def _on(acting: Acting, action: str, prescription_id: int) -> Iterator[tuple[Tx, Prescription]]:
    """The use case's transaction and its prescription; a refusal is audited against its patient."""
    with acting.transaction(action, prescription_id=prescription_id) as tx:
        prescription = exchanges.get_prescription(tx.session, prescription_id)
        tx.patient_id = prescription.case.patient_id
        yield tx, prescription


def _written(acting: Acting, tx: Tx, action: str, prescription_id: int, **ids: int) -> None:
    acting.audit(
        tx.session, action, status=201, patient_id=tx.patient_id, prescription_id=prescription_id, **ids
    )


def read(acting: Acting, prescription_id: int) -> Exchanges:
    """Comments and documents as far as the caller may read them (a refusal of one is no error:
    an anonymised responder sees comments, not documents), and the caller's own incidents."""
    with _on(acting, "prescription_exchanges", prescription_id) as (tx, prescription):
        seen = exchanges.exchange_access(tx.session, prescription, acting.principal)
        comments = found = None
        if seen != exchanges.NONE:
            try:
                comments = exchanges.list_comments(tx.session, prescription, acting.principal)
            except Forbidden:
                comments = None
            if seen == exchanges.FULL:
                found = documents.list_documents(tx.session, prescription, acting.principal)
        mine = incidents.visible(tx.session, acting.principal, prescription_id=prescription_id)
        if comments is not None:
            acting.audit(
                tx.session, "prescription_comments", patient_id=tx.patient_id, prescription_id=prescription_id
            )
        if found is not None:
            acting.audit(
                tx.session,
                "prescription_documents",
                patient_id=tx.patient_id,
                prescription_id=prescription_id,
            )
        read_incidents: list[tuple[int | None, dict[str, Any]]] = [
            (s.patient_id, {"incident_id": s.incident.id}) for s in mine if s.patient_id
        ]
        acting.audit_each(tx.session, "incident_read", read_incidents)
        return Exchanges(comments, found, [s.incident for s in mine])


def comment(acting: Acting, prescription_id: int, body: CommentCreate) -> CommentOut:
    with _on(acting, "prescription_comment", prescription_id) as (tx, _prescription):
        added, _patient_id = exchanges.add_comment(
            tx.session, prescription_id, body, acting.principal, acting.now
        )
        _written(acting, tx, "prescription_comment", prescription_id, comment_id=added.id)
        return added


def attach(
    acting: Acting, prescription_id: int, data: bytes, filename: str | None, title: str | None
) -> DocumentOut:
    """A document checked by content (JPG, PNG, PDF; 2 Mio at most: server/services/documents.py)."""
    with _on(acting, "prescription_document", prescription_id) as (tx, _prescription):
        document, _patient_id = documents.add_document(
            tx.session, prescription_id, data, filename, title, acting.principal, acting.now
        )
        _written(acting, tx, "prescription_document", prescription_id, document_id=document.id)
        return document


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    data: bytes


def download(acting: Acting, prescription_id: int, document_id: int) -> Download:
    with _on(acting, "prescription_document_read", prescription_id) as (tx, prescription):
        document, data = documents.read_document(tx.session, prescription, document_id, acting.principal)
        acting.audit(
            tx.session,
            "prescription_document_read",
            patient_id=tx.patient_id,
            prescription_id=prescription_id,
            document_id=document_id,
        )
        return Download(document.filename, document.content_type, data)


def report_incident(acting: Acting, body: IncidentCreate) -> IncidentOut:
    """« Signaler un incident »: told to the supervisors of the author's networks."""
    attempted = {"prescription_id": body.prescription_id, "case_id": body.case_id}
    with acting.transaction("incident_report", **attempted) as tx:
        seen = incidents.report(tx.session, body, acting.principal, acting.now)
        acting.audit(
            tx.session,
            "incident_report",
            status=201,
            patient_id=seen.patient_id,
            incident_id=seen.incident.id,
            prescription_id=seen.incident.prescription_id,
            case_id=seen.incident.case_id,
        )
        return seen.incident
