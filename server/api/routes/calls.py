"""Call records of the operators' softphones: `POST /calls` (upsert by id), the call log, callbacks,
the wrap-up's qualification."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from server.api.context import Caller, RoleGuard
from server.errors import Forbidden
from server.security.principal import STAFF
from server.services import calls
from shared.schemas.calls import CallbackIn, CallRecordIn, CallRecordOut
from shared.schemas.common import AwareMoment
from shared.schemas.hotline import QualificationIn

router = APIRouter(prefix="/calls", tags=["calls"])
Staff = Annotated[Caller, Depends(RoleGuard(*STAFF))]
Outcome = Literal["completed", "missed", "rejected", "unanswered", "failed", "transferred"]


@router.post("", response_model=CallRecordOut, status_code=201)
def record_call(body: CallRecordIn, caller: Staff, response: Response) -> CallRecordOut:
    """201 for a new record, 200 when the same `id` is sent again (updated, never duplicated);
    another user's record: 403, audited like a refused role."""
    try:
        with caller.state.db.session() as session:
            seen, created = calls.record(session, body, caller.principal, caller.state.clock.now())
            # A call record names who called (a professional, sometimes a patient): audited.
            caller.audit(session, "call_record", status=201 if created else 200, call_id=seen.id)
    except Forbidden as refusal:
        with caller.state.db.session() as session:
            caller.audit(
                session,
                "forbidden",
                status=403,
                attempted="call_record",
                reason=refusal.code,
                call_id=body.id,
            )
        raise
    if not created:
        response.status_code = 200
    return seen


@router.get("", response_model=list[CallRecordOut])
def call_log(
    caller: Staff,
    outcome: Outcome | None = None,
    since: AwareMoment | None = None,
    to_call_back: bool = False,
    limit: int = Query(default=200, ge=1, le=calls.LIST_MAX),
) -> list[CallRecordOut]:
    """My calls; every call for a supervisor. `to_call_back`: incoming calls that reached nobody
    and that nobody has taken to return yet."""
    with caller.state.db.session() as session:
        found = calls.visible(
            session, caller.principal, outcome=outcome, since=since, to_call_back=to_call_back, limit=limit
        )
        caller.audit(session, "call_log_read", count=len(found))
        return found


@router.post("/{call_id}/callback", response_model=CallRecordOut)
def take_callback(call_id: str, body: CallbackIn, caller: Staff) -> CallRecordOut:
    with caller.state.db.session() as session:
        seen = calls.take_callback(session, call_id, caller.principal, body.note, caller.state.clock.now())
        caller.audit(session, "call_callback", call_id=call_id)
        return seen


@router.put("/{call_id}/qualification", response_model=CallRecordOut)
def qualify_call(call_id: str, body: QualificationIn, caller: Staff) -> CallRecordOut:
    """The wrap-up's code (a code of the hotline settings' qualifications, else 422) for one of my
    calls; another user's record: 403, audited like a refused role."""
    try:
        with caller.state.db.session() as session:
            seen = calls.qualify(session, call_id, body.code, caller.principal, caller.state.clock.now())
            caller.audit(session, "call_qualification", call_id=call_id, code=body.code)
    except Forbidden as refusal:
        with caller.state.db.session() as session:
            caller.audit(
                session,
                "forbidden",
                status=403,
                attempted="call_qualification",
                reason=refusal.code,
                call_id=call_id,
            )
        raise
    return seen
