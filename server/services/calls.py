"""Call records: every call of the operators' softphones, for the call log and the callbacks.

The desktop sends a record when a call ends, and again with the same `id` (its UUID) when a case
is linked to the call afterwards or when it could not tell whether the first send arrived: the
server upserts by `id`, so a record is one row however often it comes. A record belongs to the
operator who sent it. Operators and secretaries see their own calls; supervisors see every call
(the hotline is one room), so they can have missed calls returned. Taking a callback is a
conditional update: two people never return the same call. The change feed says that a call
was recorded (ids and outcome only); the numbers and names stay behind the API.

A hotline call lost in the queue (issue 19) is a record of no operator (`operator_id` None, written
by server/services/hotline_routing.py), with its wait: the hotline's operators and supervisors see
it and may return it. A missed call a desktop logged for a hotline call is left out of the calls to
return: the hotline's record of that call says whether it was answered, and holds it when it was lost.
Each record may carry the wrap-up's qualification, set by the operator who owns it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.orm import Session

from server.errors import Conflict, Forbidden, Invalid, not_found
from server.models import CallRecord, HotlineCall, User
from server.security.principal import Principal
from server.services import feed, hotline_settings
from shared.domain import Role
from shared.schemas.calls import CallRecordIn, CallRecordOut, IdentifiedCandidate
from shared.schemas.feed import CallCallback, CallRecorded

LIST_MAX = 500
# Calls whose caller may be returned: they reached nobody.
TO_CALL_BACK = ("missed", "rejected", "failed")
HOTLINE_QUEUE_NAME = "File d'attente"  # who « took » a lost call, in the call list


def record(session: Session, body: CallRecordIn, by: Principal, now: datetime) -> tuple[CallRecordOut, bool]:
    """Insert or update the record; returns it and whether it was new."""
    row = session.get(CallRecord, body.id, with_for_update=True)
    created = row is None
    if row is None:
        row = CallRecord(id=body.id, operator_id=by.id, received_at=now, callback_note="")
        session.add(row)
    elif row.operator_id != by.id:
        raise Forbidden("call_not_yours", "Cet appel a été enregistré par un autre utilisateur")
    values = body.model_dump(mode="python", exclude={"version", "id", "identified"})
    for name, value in values.items():
        setattr(row, name, value)
    row.identified = [c.model_dump() for c in body.identified]
    row.updated_at = now
    session.flush()
    recorded = CallRecorded(call_id=row.id, operator_id=row.operator_id, outcome=row.outcome, new=created)
    feed.append_event(session, recorded, now)
    return view(session, row), created


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).tuples().all())


def view(session: Session, row: CallRecord, names: dict[int, str] | None = None) -> CallRecordOut:
    ids = {i for i in (row.operator_id, row.callback_by) if i is not None}
    names = names if names is not None else _names(session, ids)
    return CallRecordOut(
        id=row.id,
        operator_id=row.operator_id,
        operator_name=names.get(row.operator_id, "") if row.operator_id is not None else HOTLINE_QUEUE_NAME,
        direction=row.direction,
        remote_number=row.remote_number,
        remote_display_name=row.remote_display_name,
        local_number=row.local_number,
        identification=row.identification,
        identified=[IdentifiedCandidate(**c) for c in row.identified],
        started_at=row.started_at,
        answered_at=row.answered_at,
        ended_at=row.ended_at,
        outcome=row.outcome,
        end_code=row.end_code,
        end_reason=row.end_reason,
        duration_seconds=row.duration_seconds,
        case_numbers=list(row.case_numbers),
        received_at=row.received_at,
        callback_at=row.callback_at,
        callback_by=names.get(row.callback_by) if row.callback_by else None,
        callback_note=row.callback_note,
        qualification=row.qualification,
        queue_wait_seconds=row.queue_wait_seconds,
    )


def _readable(by: Principal) -> ColumnElement[bool] | None:
    """Which records `by` reads: all for a supervisor; their own, and the hotline's lost calls for
    an operator; their own for a secretary."""
    if by.role == Role.SUPERVISOR:
        return None
    if by.role == Role.OPERATOR:
        return or_(CallRecord.operator_id == by.id, CallRecord.operator_id.is_(None))
    return CallRecord.operator_id == by.id


def _answered_by_the_hotline() -> ColumnElement[bool]:
    """A desktop's record of a hotline call: the hotline's own record of it is the one to return."""
    return and_(
        CallRecord.operator_id.is_not(None),
        exists().where(HotlineCall.call_id == CallRecord.sip_call_id),
    )


def visible(
    session: Session,
    by: Principal,
    *,
    outcome: str | None,
    since: datetime | None,
    to_call_back: bool,
    limit: int,
) -> list[CallRecordOut]:
    query = select(CallRecord).order_by(CallRecord.started_at.desc(), CallRecord.id).limit(limit)
    readable = _readable(by)
    if readable is not None:
        query = query.where(readable)
    if outcome is not None:
        query = query.where(CallRecord.outcome == outcome)
    if since is not None:
        query = query.where(CallRecord.started_at >= since)
    if to_call_back:
        query = query.where(
            CallRecord.direction == "incoming",
            CallRecord.outcome.in_(TO_CALL_BACK),
            CallRecord.callback_at.is_(None),
            ~_answered_by_the_hotline(),
        )
    rows = list(session.scalars(query))
    names = _names(session, {i for r in rows for i in (r.operator_id, r.callback_by) if i is not None})
    return [view(session, r, names) for r in rows]


def take_callback(session: Session, call_id: str, by: Principal, note: str, now: datetime) -> CallRecordOut:
    """Mark a call as being returned by `by`; the first to take it wins (409 for the others)."""
    row = session.get(CallRecord, call_id)
    lost_call = row is not None and row.operator_id is None and by.role == Role.OPERATOR
    if row is None or (by.role != Role.SUPERVISOR and row.operator_id != by.id and not lost_call):
        raise not_found("Appel")
    if row.direction != "incoming" or row.outcome not in TO_CALL_BACK:
        raise Conflict("callback_not_needed", "Cet appel a abouti : il n'y a pas à rappeler")
    taken = session.execute(
        update(CallRecord)
        .where(CallRecord.id == call_id, CallRecord.callback_at.is_(None))
        .values(callback_at=now, callback_by=by.id, callback_note=note)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.refresh(row)
    if not taken:
        who = _names(session, {row.callback_by} if row.callback_by else set()).get(row.callback_by or 0, "")
        raise Conflict("callback_taken", f"Rappel déjà pris en charge par {who}".strip())
    feed.append_event(session, CallCallback(call_id=row.id, operator_id=row.operator_id), now)
    return view(session, row)


def qualify(session: Session, call_id: str, code: str, by: Principal, now: datetime) -> CallRecordOut:
    """The wrap-up's code for one of `by`'s own calls (a code of the hotline settings)."""
    row = session.get(CallRecord, call_id, with_for_update=True)
    if row is None:
        raise not_found("Appel")
    if row.operator_id != by.id:
        raise Forbidden("call_not_yours", "Cet appel a été enregistré par un autre utilisateur")
    codes = {c.code for c in hotline_settings.current(session).qualifications}
    if code not in codes:
        raise Invalid("qualification_unknown", f"Qualification d'appel inconnue : « {code} »")
    if row.qualification != code:
        row.qualification, row.updated_at = code, now
        event = CallRecorded(call_id=row.id, operator_id=row.operator_id, outcome=row.outcome, new=False)
        feed.append_event(session, event, now)
    return view(session, row)
