"""Who may exchange on a prescription, and its comments.

The seeds: « Vous pouvez ajouter des commentaires/documents pour échanger avec le professionnel
acceptant. Ce dernier vous répondra également via les commentaires ». Access to comments and
documents (`exchange_access`):

- staff (operator, secretary, supervisor): everything;
- the requester, when they have an account here: everything (they asked for the care);
- the accepting responder and notified usual professionals (who see the prescription in full):
  everything;
- a notified responder who sees the prescription anonymised may read and post comments while it
  is pending, to ask the requester a question before accepting (they already read the request's
  own comment). Comments written while the prescription is pending are therefore read by every
  notified responder: like the request's comment, they must not carry the patient's identity.
  Once the prescription has left `pending` (accepted by someone else, expired, cancelled), the
  exchange belongs to the requester, the acceptor and the staff: anonymised responders are
  refused. They never get documents (a prescription or a scan shows the identity);
- anyone else: 403.

Writes take the prescription row lock first (`answers.locked`), like every other change of a
prescription, and append their feed events last (see server/services/feed.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import Forbidden, not_found
from server.models import Comment, Patient, Prescription, User
from server.security.principal import Principal
from server.services import feed
from server.services.answers import locked
from server.services.patients import add_event
from server.services.prescription_views import visibility
from shared.domain import PrescriptionState, Role
from shared.schemas.dispatch import PersonRef
from shared.schemas.exchanges import CommentCreate, CommentOut
from shared.schemas.feed import PatientChange, PatientComment, PrescriptionCommented

FULL, ANONYMISED, NONE = "full", "anonymised", "none"
TIMELINE_LABEL_MAX = 500


def get_prescription(session: Session, prescription_id: int) -> Prescription:
    prescription = session.get(Prescription, prescription_id)
    if prescription is None:
        raise not_found("Demande")
    return prescription


def exchange_access(session: Session, prescription: Prescription, principal: Principal) -> str:
    """'full', 'anonymised' or 'none': what this caller may exchange on this prescription."""
    if principal.role == Role.PROFESSIONAL and prescription.case.requester.get("user_id") == principal.id:
        return FULL
    return visibility(session, prescription, principal)


def _not_proposed() -> Forbidden:
    return Forbidden("forbidden", "Cette demande ne vous a pas été proposée")


def require_comment_access(session: Session, prescription: Prescription, principal: Principal) -> None:
    seen = exchange_access(session, prescription, principal)
    if seen == NONE:
        raise _not_proposed()
    if seen == ANONYMISED and prescription.state != PrescriptionState.PENDING.value:
        raise Forbidden(
            "exchange_closed",
            "Les échanges sur cette demande sont réservés au demandeur et à l'intervenant qui l'a acceptée",
        )


def require_document_access(session: Session, prescription: Prescription, principal: Principal) -> None:
    seen = exchange_access(session, prescription, principal)
    if seen == NONE:
        raise _not_proposed()
    if seen == ANONYMISED:
        raise Forbidden(
            "documents_restricted",
            "Les documents ne sont accessibles qu'après acceptation, à l'intervenant qui a accepté",
        )


def author_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).tuples().all())


def shorten(text: str, limit: int = TIMELINE_LABEL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def timeline_line(
    session: Session,
    prescription: Prescription,
    now: datetime,
    change: type[PatientChange],
    label: str,
    by: Principal,
    **ids: int,
) -> None:
    """The patient's « Horodatage » line (and its feed event) for an exchange on this prescription."""
    patient = session.get(Patient, prescription.case.patient_id)
    assert patient is not None
    add_event(
        session,
        patient,
        now,
        change,
        shorten(label),
        by,
        case_id=prescription.case_id,
        prescription_id=prescription.id,
        **ids,
    )


def _out(comment: Comment, name: str) -> CommentOut:
    return CommentOut(
        id=comment.id,
        prescription_id=comment.prescription_id,
        text=comment.text,
        tag=comment.tag,
        author=PersonRef(id=comment.user_id, name=name),
        at=comment.at,
    )


def add_comment(
    session: Session, prescription_id: int, body: CommentCreate, by: Principal, now: datetime
) -> tuple[CommentOut, int]:
    """The new comment and the patient it concerns (for the audit)."""
    prescription = locked(session, prescription_id)
    require_comment_access(session, prescription, by)
    comment = Comment(prescription_id=prescription.id, user_id=by.id, text=body.text, tag=body.tag, at=now)
    session.add(comment)
    session.flush()
    tag = f" [{body.tag}]" if body.tag else ""
    timeline_line(
        session,
        prescription,
        now,
        PatientComment,
        f"Commentaire de {by.display_name}{tag} : {body.text}",
        by,
        comment_id=comment.id,
    )
    commented = PrescriptionCommented(comment_id=comment.id, user_id=by.id, tag=body.tag)
    feed.append_prescription_event(session, prescription, commented, now)
    return _out(comment, by.display_name), prescription.case.patient_id


def list_comments(session: Session, prescription: Prescription, principal: Principal) -> list[CommentOut]:
    """Oldest first: a conversation reads downwards."""
    require_comment_access(session, prescription, principal)
    comments = list(
        session.scalars(
            select(Comment).where(Comment.prescription_id == prescription.id).order_by(Comment.at, Comment.id)
        )
    )
    names = author_names(session, {c.user_id for c in comments})
    return [_out(c, names.get(c.user_id, "")) for c in comments]
