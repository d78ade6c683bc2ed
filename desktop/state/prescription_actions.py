"""The actions on one prescription, checked before they are sent: cancel (a reason is mandatory),
renew (« Renouveler le déclenchement »), a comment with its tag, an incident.

Each ``*_body`` returns the exact JSON body of the route, or raises ``FormRefused`` with the
French messages keyed by field (as the server would refuse it: same shared schemas).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop.state.form_errors import FieldErrors, validate_model
from desktop.state.wizard.qualification_step import INTERVENTION_DELAYS, RESPONSE_DELAYS
from shared.domain import PrescriptionState
from shared.schemas.dispatch import CancelBody, PrescriptionView, RenewBody
from shared.schemas.exchanges import CommentCreate, IncidentCreate

CANCELLABLE = (PrescriptionState.PENDING, PrescriptionState.ACCEPTED)
RENEWABLE = (PrescriptionState.EXPIRED, PrescriptionState.CANCELLED)
REASON_REQUIRED = "Le motif d'annulation est obligatoire"
NOT_CANCELLABLE = "Seule une demande en cours ou acceptée peut être annulée"
NOT_RENEWABLE = "Seule une demande annulée, expirée ou qui n'a joint aucun professionnel peut être renouvelée"
KEEP_INTERVENTION = ""  # the renewal keeps the prescription's date or delay of intervention


# « la demande est … »: the state as the end of a French sentence (never the board's label).
STATE_PHRASES = {
    PrescriptionState.PENDING: "en cours",
    PrescriptionState.ACCEPTED: "acceptée",
    PrescriptionState.STARTED: "débutée",
    PrescriptionState.FINISHED: "terminée",
    PrescriptionState.EXPIRED: "expirée",
    PrescriptionState.CANCELLED: "annulée",
}


def state_phrase(state: PrescriptionState) -> str:
    return STATE_PHRASES.get(state, state.label.lower())


class FormRefused(ValueError):
    def __init__(self, errors: FieldErrors) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _minutes(text: str, name: str, errors: FieldErrors, *, required: bool) -> int | None:
    value = text.strip()
    if not value:
        if required:
            errors[name] = "Ce champ est obligatoire"
        return None
    if not value.isdigit():
        errors[name] = "Nombre de minutes attendu"
        return None
    return int(value)


def cancel_body(state: PrescriptionState, reason: str) -> dict[str, Any]:
    """``POST …/cancel``: refused without a reason, and in a state the server would refuse."""
    if state not in CANCELLABLE:
        raise FormRefused({"": NOT_CANCELLABLE})
    if not reason.strip():
        raise FormRefused({"reason": REASON_REQUIRED})
    errors: FieldErrors = {}
    body = validate_model(CancelBody, {"reason": reason.strip()}, errors, whole="reason")
    if body is None:
        raise FormRefused(errors)
    return body.model_dump()


@dataclass
class RenewForm:
    """« Renouveler le déclenchement »: what the operator types (delays are minutes as text, the
    choices of the wizard); the patient, care mode, profession and previous comment are shown
    from the prescription."""

    response_delay_minutes: str
    intervention_delay_minutes: str = KEEP_INTERVENTION
    free_text: str = ""
    without_network: bool = False  # « Sans restriction de réseau »: the new round is offered to all

    @classmethod
    def from_prescription(cls, prescription: PrescriptionView) -> RenewForm:
        delay = prescription.intervention_delay_minutes
        return cls(
            response_delay_minutes=str(prescription.response_delay_minutes),
            intervention_delay_minutes=str(delay) if delay is not None else KEEP_INTERVENTION,
        )

    def body(self, state: PrescriptionState, no_recipient: bool = False) -> dict[str, Any]:
        """``POST …/renew``; ``FormRefused`` with the message under each field otherwise. A pending
        request that reached nobody (`no_recipient`) is renewed as it is: the server widens it."""
        if state not in RENEWABLE and not (state is PrescriptionState.PENDING and no_recipient):
            raise FormRefused({"": NOT_RENEWABLE})
        errors: FieldErrors = {}
        response = _minutes(self.response_delay_minutes, "response_delay_minutes", errors, required=True)
        intervention = _minutes(
            self.intervention_delay_minutes, "intervention_delay_minutes", errors, required=False
        )
        if errors:
            raise FormRefused(errors)
        raw: dict[str, Any] = {"response_delay_minutes": response}
        if self.free_text.strip():
            raw["comment"] = self.free_text.strip()
        if intervention is not None:
            raw["intervention_delay_minutes"] = intervention
        renew = validate_model(RenewBody, raw, errors, whole="")
        if renew is None:
            raise FormRefused({("free_text" if k == "comment" else k): v for k, v in errors.items()})
        body = renew.model_dump(exclude_none=True)
        if self.without_network:
            body["network_id"] = None  # given as null: the server lifts the restriction
        return body


def delay_choices(choices: dict[int, str], current: int | None) -> list[tuple[str, str]]:
    """The wizard's delay choices, with the prescription's own value when it is not one of them."""
    items = [(str(k), v) for k, v in choices.items()]
    if current is not None and current not in choices:
        items.append((str(current), f"{current} minutes"))
    return items


def response_delay_choices(current: int | None) -> list[tuple[str, str]]:
    return delay_choices(RESPONSE_DELAYS, current)


def intervention_delay_choices(current: int | None) -> list[tuple[str, str]]:
    return [(KEEP_INTERVENTION, "Inchangé"), *delay_choices(INTERVENTION_DELAYS, current)]


def comment_body(text: str, tag: str) -> dict[str, Any]:
    """``POST …/comments``: a text is mandatory; the tag is optional (« Facultatif »)."""
    errors: FieldErrors = {}
    body = validate_model(CommentCreate, {"text": text.strip(), "tag": tag.strip() or None}, errors)
    if body is None:
        raise FormRefused(errors)
    return body.model_dump()


def incident_body(text: str, prescription: PrescriptionView) -> dict[str, Any]:
    """``POST /incidents`` about this prescription (and its case)."""
    errors: FieldErrors = {}
    raw = {"text": text.strip(), "prescription_id": prescription.id, "case_id": prescription.case_id}
    body = validate_model(IncidentCreate, raw, errors)
    if body is None:
        raise FormRefused(errors)
    return body.model_dump()
