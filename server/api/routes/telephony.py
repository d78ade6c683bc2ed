"""Kamailio's and the queue holder's questions (docs/hotline.md), with the deployment's token
(server/api/telephony_guard.py): whom to ring, what happened to a call, the next queue offer."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import PlainTextResponse

from server.api.telephony_guard import TelephonyCaller, TelephonyGuard
from server.errors import Invalid
from server.services import hotline_routing
from shared.schemas.common import NulFreeText
from shared.schemas.hotline import CALL_ID_MAX, SIP_USER_PATTERN, CallEventIn, QueueOfferOut, RouteOut

router = APIRouter(prefix="/telephony", tags=["telephony"])
Telephony = Annotated[TelephonyCaller, Depends(TelephonyGuard())]
TRIED_MAX = 50
_SIP_USER = re.compile(SIP_USER_PATTERN)

ROUTE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": (
            "Qui faire sonner (JSON, ou en texte avec `format=text` : « ring 15 u1 u2 », la durée "
            "de sonnerie puis les comptes SIP, ou « queue »)"
        ),
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
}


def _tried(raw: str) -> list[str]:
    users = [u for u in (part.strip() for part in raw.split(",")) if u]
    if len(users) > TRIED_MAX or not all(_SIP_USER.fullmatch(u) for u in users):
        raise Invalid("tried_invalid", "Paramètre tried : comptes SIP séparés par des virgules attendus")
    return users


@router.get("/route", response_model=RouteOut, responses=ROUTE_RESPONSES)
def route_call(
    caller: Telephony,
    call_id: Annotated[NulFreeText, Query(min_length=1, max_length=CALL_ID_MAX)],
    caller_number: Annotated[NulFreeText, Query(alias="caller", max_length=80)] = "",
    caller_name: Annotated[NulFreeText, Query(max_length=200)] = "",
    tried: Annotated[NulFreeText, Query(max_length=TRIED_MAX * 65)] = "",
    format: Literal["json", "text"] = "json",
) -> RouteOut | Response:
    """Reserves the operators it names for this call (none is offered two calls at once) and
    records the call as arrived; asked again after each ring-out with `tried` growing."""
    users = _tried(tried)
    with caller.state.db.session() as session:
        answer = hotline_routing.route(
            session, call_id, caller_number, caller_name, users, caller.state.clock.now()
        )
        caller.audit(session, "hotline_route", call_id=call_id, answer=answer.action, targets=answer.targets)
    if format == "text":
        # « ring 15 u1 u2 »: the ring time first (the platform's setting, so Kamailio never needs
        # its own copy), then the SIP users; an all-digit SIP user is never taken for the time.
        ring = ["ring", str(answer.ring_seconds), *answer.targets]
        text = "queue" if answer.action == "queue" else " ".join(ring)
        return PlainTextResponse(text)
    return answer


@router.post("/events", status_code=204, response_class=Response)
def call_event(body: CallEventIn, caller: Telephony) -> Response:
    """Idempotent per (call_id, kind, sip_user): the same event told twice counts once."""
    with caller.state.db.session() as session:
        call = hotline_routing.apply_event(session, body, caller.state.clock.now())
        caller.audit(
            session,
            "hotline_event",
            call_id=body.call_id,
            kind=body.kind,
            sip_user=body.sip_user,
            state=call.state,
        )
    return Response(status_code=204)


@router.post(
    "/queue/next",
    response_model=QueueOfferOut,
    responses={204: {"description": "Personne n'attend, ou aucun opérateur n'est disponible"}},
)
def queue_next(caller: Telephony) -> QueueOfferOut | Response:
    """The oldest waiting caller and the operator now reserved for them, or 204."""
    with caller.state.db.session() as session:
        offer = hotline_routing.next_offer(session, caller.state.clock.now())
        if offer is not None:
            caller.audit(session, "hotline_queue_offer", call_id=offer.call_id, target=offer.target)
    return offer if offer is not None else Response(status_code=204)
