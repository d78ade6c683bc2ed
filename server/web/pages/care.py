"""« Patient en soins » (a prescription I accepted) and « Patient en coordination » (a patient I
co-treat or am the usual professional of): the patient's file, the request, the care loop and the
exchanges, with the actions of seeds 000 — Débuter, a « passage », « Ajouter un CR », notes and
documents, « Signaler un incident », « Demander un déclenchement », « Fin série de soins ».

Every read and write goes through the use cases (server/services/prescription_actions.py,
patient_files.py, exchange_actions.py), which check who may and audit it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from server.http_download import file_download
from server.services import exchange_actions, patient_files, prescription_actions
from server.web.context import PREFIX
from server.web.guard import Current, Post
from server.web.pages.common import acting, done, page, see_other
from server.web.sessions import Visitor
from shared.domain import PrescriptionState
from shared.schemas.care import ReportCreate, VisitCreate
from shared.schemas.dispatch import PrescriptionView
from shared.schemas.exchanges import DOCUMENT_MAX_BYTES, CommentCreate, IncidentCreate

router = APIRouter()
# Notes, documents and incidents are posted from both pages.
Where = Annotated[str, Path(pattern="^(soins|coordination)$")]

ACTIVE = (PrescriptionState.ACCEPTED, PrescriptionState.STARTED, PrescriptionState.FINISHED)


def is_mine(p: PrescriptionView, visitor: Visitor) -> bool:
    return p.accepted_by is not None and p.accepted_by.id == visitor.principal.id


def base_of(p: PrescriptionView, visitor: Visitor) -> str:
    return f"{PREFIX}/{'soins' if is_mine(p, visitor) else 'coordination'}/{p.id}"


def _context(request: Request, visitor: Visitor, prescription_id: int) -> dict[str, Any] | Response:
    who = acting(request, visitor)
    p = prescription_actions.read(who, prescription_id)
    if p.patient is None:  # an offer seen anonymised: its own page
        return see_other(f"{PREFIX}/demandes/{prescription_id}")
    patient = patient_files.read(who, p.patient.id)
    mine = is_mine(p, visitor)
    in_care = mine and p.state in (PrescriptionState.STARTED, PrescriptionState.FINISHED)
    ended = p.care is not None and p.care.series_ended_at is not None
    return {
        "p": p,
        "patient": patient,
        "history": patient_files.history(who, p.patient.id),
        "exchanges": exchange_actions.read(who, prescription_id),
        "mine": mine,
        "base": base_of(p, visitor),
        "can_edit_record": in_care and not ended,
        "ended": ended,
        "doctors": [u for u in patient.usual_professionals if u.profession_code == "10"],
        "max_bytes": DOCUMENT_MAX_BYTES,
    }


def _page(request: Request, visitor: Visitor, prescription_id: int, **extra: Any) -> Response:
    context = _context(request, visitor, prescription_id)
    if isinstance(context, Response):
        return context
    label = "Patient en soins" if context["mine"] else "Patient en coordination"
    return page(request, visitor, "patient.html", title=label, heading=label, **context, **extra)


@router.get("/soins/{prescription_id}")
def in_care(prescription_id: int, request: Request, visitor: Current) -> Response:
    return _page(request, visitor, prescription_id)


@router.get("/coordination/{prescription_id}")
def in_coordination(prescription_id: int, request: Request, visitor: Current) -> Response:
    return _page(request, visitor, prescription_id)


def _back(request: Request) -> str:
    """The page an action was posted from: /pro/soins/12/cr → /pro/soins/12."""
    return request.url.path.rsplit("/", 1)[0]


@router.post("/soins/{prescription_id}/debuter")
def start(prescription_id: int, request: Request, post: Post) -> Response:
    prescription_actions.start(acting(request, post.visitor), prescription_id)
    return done(_back(request), "started")


@router.post("/soins/{prescription_id}/passage")
def visit(prescription_id: int, request: Request, post: Post) -> Response:
    body = VisitCreate(note=post.text("note") or None)
    prescription_actions.add_visit(acting(request, post.visitor), prescription_id, body)
    return done(_back(request), "visit")


@router.post("/soins/{prescription_id}/cr")
def report(prescription_id: int, request: Request, post: Post) -> Response:
    body = ReportCreate(text=post.text("texte"))
    prescription_actions.add_report(acting(request, post.visitor), prescription_id, body)
    return done(_back(request), "report")


@router.post("/soins/{prescription_id}/fin")
def end_series(prescription_id: int, request: Request, post: Post) -> Response:
    prescription_actions.end_series(acting(request, post.visitor), prescription_id)
    return done(f"{PREFIX}/archives", "ended")


@router.post("/{where}/{prescription_id}/notes")
def note(where: Where, prescription_id: int, request: Request, post: Post) -> Response:
    body = CommentCreate(text=post.text("texte"))
    exchange_actions.comment(acting(request, post.visitor), prescription_id, body)
    return done(_back(request), "comment")


@router.post("/{where}/{prescription_id}/documents")
async def attach(where: Where, prescription_id: int, request: Request, post: Post) -> Response:
    upload = post.file("fichier")
    data = await upload.read(DOCUMENT_MAX_BYTES + 1) if upload is not None else b""
    filename = upload.filename if upload is not None else None
    who = acting(request, post.visitor)
    await run_in_threadpool(
        exchange_actions.attach, who, prescription_id, data, filename, post.text("titre") or None
    )
    return done(_back(request), "document")


@router.get("/{where}/{prescription_id}/documents/{document_id}")
def download(
    where: Where, prescription_id: int, document_id: int, request: Request, visitor: Current
) -> Response:
    found = exchange_actions.download(acting(request, visitor), prescription_id, document_id)
    return file_download(found.data, found.filename, found.content_type)


@router.post("/{where}/{prescription_id}/incident")
def incident(where: Where, prescription_id: int, request: Request, post: Post) -> Response:
    body = IncidentCreate(text=post.text("texte"), prescription_id=prescription_id)
    exchange_actions.report_incident(acting(request, post.visitor), body)
    return done(_back(request), "incident")
