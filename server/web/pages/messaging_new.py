"""« Nouveau message » (issue 20): search registered people by name (at least 3 letters), tick
one or several, a subject, the text, « Rédiger ». Opened from a patient's page (`?patient=`) or a
request's (`?demande=`), the thread is about that patient: the search then offers only people
allowed to see them (the service checks it again on « Rédiger »).

Without JavaScript the form's « Rechercher » button posts the whole form and gets it back with the
results (what was typed and ticked kept); with it, the search field asks `/messagerie/destinataires`
as one types. The use cases are server/services/messaging_actions.py's: they check and audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import uuid4

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from starlette.responses import Response

from server.errors import DomainError
from server.services import messaging_actions, patient_files, prescription_actions
from server.services.acting import Acting
from server.services.idempotency_keys import checked_key
from server.web.context import PREFIX
from server.web.errors import first_error, status_of
from server.web.guard import Current, Post
from server.web.pages.common import acting, page, see_other
from server.web.pages.messaging_present import Picked, not_picked, picked_of
from server.web.render import html
from server.web.sessions import Visitor
from shared.schemas.common import DB_INT_MAX
from shared.schemas.messaging import (
    MESSAGE_TEXT_MAX,
    PARTICIPANTS_MAX,
    QUERY_MESSAGE,
    RECIPIENT_QUERY_MAX,
    RECIPIENT_QUERY_MIN,
    SUBJECT_MAX,
    ThreadCreate,
)

router = APIRouter()
NEW = f"{PREFIX}/messagerie/nouveau"
Id = Annotated[int | None, Query(ge=1, le=DB_INT_MAX)]


@dataclass(frozen=True)
class About:
    """What a new thread is about: nothing, a patient, or a request (and so its patient)."""

    patient_id: int | None = None
    prescription_id: int | None = None
    label: str = ""

    @property
    def fields(self) -> dict[str, int]:
        found = {"patient": self.patient_id, "demande": self.prescription_id}
        return {name: value for name, value in found.items() if value is not None}


def about_of(who: Acting, patient: str, demande: str) -> About:
    """Read (audited, refused when not allowed) the patient or the request the thread is about."""
    if demande.isdigit() and 1 <= int(demande) <= DB_INT_MAX:
        p = prescription_actions.read(who, int(demande))
        name = f"{p.patient.last_name.upper()} {p.patient.first_name}" if p.patient else "la demande"
        label = f"{name} — {p.care_type} (fiche #{p.case_number})"
        return About(p.patient.id if p.patient else None, p.id, label)
    if patient.isdigit() and 1 <= int(patient) <= DB_INT_MAX:
        found = patient_files.read(who, int(patient))
        return About(found.id, None, f"{found.last_name.upper()} {found.first_name}")
    return About()


@dataclass(frozen=True)
class Search:
    """The search field, what it found (less those already ticked) and what to tell about it."""

    query: str
    found: list[Picked]
    status: str


def search(
    who: Acting, query: str, picked: list[Picked], *, patient_id: int | None, thread_id: int | None
) -> Search:
    query = query.strip()[:RECIPIENT_QUERY_MAX]
    if not query:
        return Search("", [], "")
    if len(query) < RECIPIENT_QUERY_MIN:
        return Search(query, [], QUERY_MESSAGE)
    try:
        found = messaging_actions.recipients(who, query, patient_id=patient_id, thread_id=thread_id)
    except DomainError as refused:
        return Search(query, [], refused.message)
    offered = not_picked(found, picked)
    if not found:
        status = f"Aucune personne trouvée pour « {query} »."
    else:
        status = (
            f"{len(found)} personne{'s' if len(found) > 1 else ''} trouvée{'s' if len(found) > 1 else ''}."
        )
    return Search(query, offered, status)


def _form(
    request: Request,
    visitor: Visitor,
    about: About,
    values: dict[str, Any],
    *,
    status: int = 200,
    error: str = "",
) -> Response:
    picked: list[Picked] = values["picked"]
    found = search(acting(request, visitor), values["q"], picked, patient_id=about.patient_id, thread_id=None)
    return page(
        request,
        visitor,
        "messaging_new.html",
        status=status,
        title="Nouveau message",
        send_key=uuid4().hex,  # the form's Idempotency-Key: a second click starts one thread
        about=about,
        v=values,
        picked=picked,
        search=found,
        error=error,
        limits={"subject": SUBJECT_MAX, "text": MESSAGE_TEXT_MAX, "participants": PARTICIPANTS_MAX - 1},
        query_min=RECIPIENT_QUERY_MIN,
    )


@router.get("/messagerie/nouveau")
def new_message(
    request: Request,
    visitor: Current,
    patient: str = "",
    demande: str = "",
    participant: list[str] = Query(default=[]),  # noqa: B008 (FastAPI's way)
    q: str = "",
) -> Response:
    about = about_of(acting(request, visitor), patient, demande)
    values = {"q": q, "picked": picked_of(participant), "sujet": "", "texte": ""}
    return _form(request, visitor, about, values)


@router.post("/messagerie/nouveau")
def write(request: Request, post: Post) -> Response:
    who = acting(request, post.visitor)
    about = about_of(who, post.text("patient"), post.text("demande"))
    picked = picked_of(str(v) for v in post.form.getlist("participant"))
    values = {"q": post.text("q"), "picked": picked, "sujet": post.text("sujet"), "texte": post.text("texte")}
    if post.text("action") == "chercher":
        return _form(request, post.visitor, about, values)
    if not picked:
        error = "Cochez au moins une personne à qui écrire (recherchez-la par son nom)."
        return _form(request, post.visitor, about, values, status=422, error=error)
    try:
        body = ThreadCreate(
            participant_ids=[p.user_id for p in picked],
            subject=values["sujet"] or None,
            text=values["texte"],
            patient_id=about.patient_id if about.prescription_id is None else None,
            prescription_id=about.prescription_id,
        )
    except ValidationError as invalid:
        return _form(request, post.visitor, about, values, status=422, error=first_error(invalid.errors()))
    try:
        key = checked_key(post.text("cle") or None, "message")
        thread = messaging_actions.start_thread(who, body, (), key)
    except DomainError as refused:
        return _form(request, post.visitor, about, values, status=status_of(refused), error=refused.message)
    return see_other(f"{PREFIX}/messagerie/{thread.id}?ok=thread")


@router.get("/messagerie/destinataires")
def recipients(
    request: Request,
    visitor: Current,
    q: str = "",
    patient: Id = None,
    fil: Id = None,
    participant: list[str] = Query(default=[]),  # noqa: B008
) -> Response:
    """The search's results as one types (htmx): the people ticked stay ticked, above."""
    picked = picked_of(participant)
    found = search(acting(request, visitor), q, picked, patient_id=patient, thread_id=fil)
    return html("_messaging_recipients.html", picked=picked, search=found)
