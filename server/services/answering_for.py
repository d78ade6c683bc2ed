"""The hotline answering for a professional who phones in (issue 16): accept or decline an offer,
or set their availability, on their behalf.

The answer goes through the very path the professional's own answer takes (answers.accept and
answers.decline: the row lock and the conditional update that make the first acceptance win, the
others notified told it is taken), with the professional as the one who answers and the operator
named in the feed event (`on_behalf_by`), which the request's history shows as « par téléphone via
la centrale » (server/services/phone_answers.py). Each act is audited as done by the operator
(the entry's user) for the professional (`on_behalf_of` in its detail, `channel` phone); a
refusal is audited too: 403 as every refusal, and the other errors (unknown professional, not
notified, already taken) with their status, since each is an attempt on a patient's request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from sqlalchemy.orm import Session

from server.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from server.models import Prescription, ProfessionalProfile
from server.security.principal import Principal
from server.services import answers
from server.services.acting import Acting, Tx
from server.services.prescription_actions import present
from server.services.professional_lookup import professional_profile, require_hotline, status_of
from server.services.profile import update_profile
from shared.domain import PrescriptionState
from shared.schemas.dispatch import PHONE_VIA_HOTLINE, PrescriptionView
from shared.schemas.hotline_professionals import AvailabilityOnBehalf, ProfessionalStatus
from shared.schemas.professional import ProfileUpdate

_STATUS = {NotFound: 404, Conflict: 409, Invalid: 422}


def _refuse(acting: Acting, action: str, refusal: Forbidden, **detail: Any) -> NoReturn:
    with acting.transaction(action, **detail):
        raise refusal
    raise refusal  # not reached: the transaction audits the refusal and raises it again


def refuse_on_behalf_from_professional(acting: Acting, action: str, prescription_id: int) -> NoReturn:
    """A professional answers for themselves only: `on_behalf_of` is the hotline's (403, audited)."""
    message = "Seule la centrale peut répondre pour un autre professionnel (« on_behalf_of »)"
    refusal = Forbidden("on_behalf_forbidden", message)
    _refuse(acting, action, refusal, prescription_id=prescription_id, on_behalf=True)


def refuse_hotline_without_professional(acting: Acting, action: str, prescription_id: int) -> NoReturn:
    """The hotline never accepts for itself: it names the professional it answers for (403, audited)."""
    message = "La centrale répond pour un professionnel : indiquez lequel (« on_behalf_of »)"
    _refuse(acting, action, Forbidden("on_behalf_required", message), prescription_id=prescription_id)


@contextmanager
def _on_behalf(acting: Acting, action: str, professional_id: int, **detail: Any) -> Iterator[Tx]:
    """A transaction of the hotline acting for `professional_id`; refusals audited (see above)."""
    context = {"on_behalf_of": professional_id, "channel": "phone", **detail}
    current: Tx | None = None
    try:
        with acting.transaction(action, **context) as tx:
            current = tx
            require_hotline(acting.principal)
            yield tx
    except DomainError as refusal:
        if isinstance(refusal, Forbidden):
            raise  # audited by acting.transaction
        status = next((code for kind, code in _STATUS.items() if isinstance(refusal, kind)), 400)
        with acting.db.session() as session:
            acting.audit(
                session,
                "on_behalf_refused",
                patient_id=current.patient_id if current is not None else None,
                status=status,
                attempted=action,
                reason=refusal.code,
                **context,
            )
        raise


def _professional(session: Session, professional_id: int) -> tuple[ProfessionalProfile, Principal]:
    profile = professional_profile(session, professional_id)
    if not profile.user.active:
        raise Conflict(
            "professional_inactive", "Ce compte professionnel est désactivé : il ne peut pas répondre"
        )
    return profile, Principal.of(profile.user)


def _check_offered(session: Session, prescription_id: int, responder: Principal) -> Prescription:
    """The prescription, locked, offered to `responder` in its current round (else a clear 409)."""
    prescription = answers.locked(session, prescription_id)
    if answers.current_notification(session, prescription, responder.id) is None:
        raise Conflict(
            "not_notified",
            f"Cette demande n'a pas été proposée à {responder.display_name} : la centrale ne peut répondre "
            "pour un professionnel qu'aux demandes qui lui ont été notifiées",
        )
    return prescription


def _taken_by_someone_else(session: Session, prescription: Prescription, conflict: Conflict) -> Conflict:
    """« Déjà acceptée » says by whom, so that the operator can tell the professional on the phone."""
    if conflict.code != f"state_{PrescriptionState.ACCEPTED.value}" or prescription.accepted_by is None:
        return conflict
    holder = prescription.accepted_by  # refreshed by answers.accept
    profile = session.get(ProfessionalProfile, holder)
    name = profile.user.display_name if profile is not None else "un autre intervenant"
    return Conflict(
        conflict.code,
        f"Trop tard : cette demande a déjà été acceptée par {name}",
        state=PrescriptionState.ACCEPTED.value,
    )


def _answer(
    acting: Acting,
    action: str,
    prescription_id: int,
    professional_id: int,
    step: Callable[..., Prescription],
) -> PrescriptionView:
    with _on_behalf(acting, action, professional_id, prescription_id=prescription_id) as tx:
        found = tx.session.get(Prescription, prescription_id)
        if found is not None:
            tx.patient_id = found.case.patient_id
        profile, responder = _professional(tx.session, professional_id)
        prescription = _check_offered(tx.session, prescription_id, responder)
        try:
            step(tx.session, prescription_id, responder, acting.now, on_behalf_by=acting.principal.id)
        except Conflict as conflict:
            raise _taken_by_someone_else(tx.session, prescription, conflict) from conflict
        acting.audit(
            tx.session,
            action,
            patient_id=tx.patient_id,
            prescription_id=prescription_id,
            on_behalf_of=professional_id,
            on_behalf_of_name=profile.user.display_name,
            channel="phone",
            via=PHONE_VIA_HOTLINE,
        )
        return present(tx.session, prescription, acting, answer_of=action)


def accept_for(acting: Acting, prescription_id: int, professional_id: int) -> PrescriptionView:
    """The professional accepts by phone: the first acceptance wins (409 when someone was first)."""
    return _answer(acting, "prescription_accept", prescription_id, professional_id, answers.accept)


def decline_for(acting: Acting, prescription_id: int, professional_id: int) -> PrescriptionView:
    """The professional declines by phone (the pool opens when every usual professional declined)."""
    return _answer(acting, "prescription_decline", prescription_id, professional_id, answers.decline)


def set_availability_for(
    acting: Acting, professional_id: int, body: AvailabilityOnBehalf
) -> ProfessionalStatus:
    """« Indisponible jusqu'à… » (1 to 48 h) or a status, as the professional's own profile sets it;
    matching reads it for the next request."""
    with _on_behalf(acting, "availability_update", professional_id) as tx:
        professional_profile(tx.session, professional_id, lock=True)
        change = ProfileUpdate(availability=body.availability, unavailable_until=body.unavailable_until)
        update_profile(tx.session, professional_id, change, acting.now)
        acting.audit(
            tx.session,
            "profile_update",
            fields=["availability", "unavailable_until"],
            on_behalf_of=professional_id,
            availability=body.availability.value,
            unavailable_until=body.unavailable_until.isoformat() if body.unavailable_until else None,
            channel="phone",
            via=PHONE_VIA_HOTLINE,
        )
        tx.session.flush()
        return status_of(tx.session, acting, professional_id)
