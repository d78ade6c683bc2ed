"""Which answers of a prescription the hotline recorded for a professional by phone (issue 16).

No column says so: the accept and decline events of the change feed carry `on_behalf_by` (the
operator), and a prescription has few events (found through the events' prescription index), so
the request's history reads them from there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Event, User
from shared.schemas.dispatch import OnBehalf, PersonRef
from shared.schemas.feed import EventType

_ANSWERS = {
    EventType.PRESCRIPTION_ACCEPTED.value: "accepted",
    EventType.PRESCRIPTION_DECLINED.value: "declined",
}


@dataclass(frozen=True)
class PhoneAnswer:
    round: int
    user_id: int  # the professional
    answer: str  # accepted, declined
    operator: PersonRef


def phone_answers(session: Session, prescription_id: int) -> list[PhoneAnswer]:
    """Every answer recorded by phone for this prescription, oldest first."""
    rows = session.execute(
        select(Event.type, Event.data)
        .where(Event.prescription_id == prescription_id, Event.type.in_(_ANSWERS))
        .order_by(Event.seq)
    ).all()
    recorded = [(type_, data) for type_, data in rows if data.get("on_behalf_by")]
    if not recorded:
        return []
    operator_ids = {int(data["on_behalf_by"]) for _, data in recorded}
    names = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(operator_ids))).all())
    found = []
    for type_, data in recorded:
        operator_id = int(data["on_behalf_by"])
        who = int(data["accepted_by"] if type_ == EventType.PRESCRIPTION_ACCEPTED.value else data["user_id"])
        operator = PersonRef(id=operator_id, name=names.get(operator_id, "la centrale"))
        found.append(PhoneAnswer(int(data["round"]), who, _ANSWERS[type_], operator))
    return found


def on_behalf(answer: PhoneAnswer, *, show_operator: bool) -> OnBehalf:
    """The view's mark: staff see the operator; a professional reads « par téléphone via la centrale »."""
    return OnBehalf(by=answer.operator if show_operator else None)


def accepted_on_behalf(
    session: Session, prescription_id: int, round_: int, accepted_by: int | None, *, show_operator: bool
) -> OnBehalf | None:
    """The mark of the current acceptance when the hotline recorded it."""
    if accepted_by is None:
        return None
    for answer in phone_answers(session, prescription_id):
        if (answer.round, answer.user_id, answer.answer) == (round_, accepted_by, "accepted"):
            return on_behalf(answer, show_operator=show_operator)
    return None
