"""Call records: every call of the operators' softphones, for the call log and the callbacks.

The desktop sends a record when a call ends, and again with the same `id` (its UUID) when a case
is linked to the call afterwards or when it could not tell whether the first send arrived: the
server upserts by `id`, so a record is one row however often it comes. A record belongs to the
operator who sent it. Operators and secretaries see their own calls; supervisors see every call
(the hotline is one room), so they can have missed calls returned. Taking a callback is a
conditional update: two people never return the same call. The change feed says that a call
was recorded (ids and outcome only); the numbers and names stay behind the API.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.errors import Conflict, Forbidden, not_found
from server.models import CallRecord, User
from server.security.principal import Principal
from server.services import feed
from shared.domain import Role
from shared.schemas.calls import CallRecordIn, CallRecordOut, IdentifiedCandidate
from shared.schemas.feed import CallCallback, CallRecorded

LIST_MAX = 500
# Calls whose caller may be returned: they reached nobody.
TO_CALL_BACK = ("missed", "rejected", "failed")


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
    ids = {row.operator_id, *([row.callback_by] if row.callback_by else [])}
    names = names if names is not None else _names(session, ids)
    return CallRecordOut(
        id=row.id,
        operator_id=row.operator_id,
        operator_name=names.get(row.operator_id, ""),
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
    if by.role != Role.SUPERVISOR:
        query = query.where(CallRecord.operator_id == by.id)
    if outcome is not None:
        query = query.where(CallRecord.outcome == outcome)
    if since is not None:
        query = query.where(CallRecord.started_at >= since)
    if to_call_back:
        query = query.where(
            CallRecord.direction == "incoming",
            CallRecord.outcome.in_(TO_CALL_BACK),
            CallRecord.callback_at.is_(None),
        )
    rows = list(session.scalars(query))
    names = _names(session, {r.operator_id for r in rows} | {r.callback_by for r in rows if r.callback_by})
    return [view(session, r, names) for r in rows]


def take_callback(session: Session, call_id: str, by: Principal, note: str, now: datetime) -> CallRecordOut:
    """Mark a call as being returned by `by`; the first to take it wins (409 for the others)."""
    row = session.get(CallRecord, call_id)
    if row is None or (by.role != Role.SUPERVISOR and row.operator_id != by.id):
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
