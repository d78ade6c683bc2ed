"""The change feed's prescription family (the envelope carries case_id and prescription_id)."""

from __future__ import annotations

from typing import Any

from shared.domain import PrescriptionState
from shared.schemas.feed_types import EventPayload, EventType, IsoDateTime

# --- prescriptions (the envelope carries case_id and prescription_id) ---


class PrescriptionChange(EventPayload):
    """Something happened to one prescription."""


class RoundChange(PrescriptionChange):
    """A prescription change about one dispatch round (1, then 2 after a renewal, …)."""

    round: int


class AnswerChange(RoundChange):
    """A responder's answer; recorded by an operator for them (by phone) when `on_behalf_by` is set.
    Absent from `data` otherwise, so that an answer reads as it always did."""

    on_behalf_by: int | None = None

    def data(self) -> dict[str, Any]:
        data = super().data()
        if data.get("on_behalf_by") is None:
            data.pop("on_behalf_by", None)
        return data


class PrescriptionSent(RoundChange):
    """A prescription was sent (first round) and its responders notified."""

    TYPE = EventType.PRESCRIPTION_SENT
    state: PrescriptionState
    notified_count: int
    priority_until: IsoDateTime | None
    deadline_at: IsoDateTime


class PrescriptionPoolOpened(RoundChange):
    """The usual professionals' priority ended (its window passed, or all declined): the pool was notified."""

    TYPE = EventType.PRESCRIPTION_POOL_OPENED
    notified_count: int
    added: int


class PrescriptionAccepted(AnswerChange):
    """A responder accepted the prescription (`on_behalf_by`: the operator who took it by phone)."""

    TYPE = EventType.PRESCRIPTION_ACCEPTED
    accepted_by: int
    accepted_by_name: str


class PrescriptionDeclined(AnswerChange):
    """A notified responder declined it (`on_behalf_by`: the operator who took it by phone)."""

    TYPE = EventType.PRESCRIPTION_DECLINED
    user_id: int


class PrescriptionStarted(RoundChange):
    """The responder who accepted started the care."""

    TYPE = EventType.PRESCRIPTION_STARTED
    user_id: int


class PrescriptionFinished(RoundChange):
    """The responder who accepted finished the care."""

    TYPE = EventType.PRESCRIPTION_FINISHED
    user_id: int


class PrescriptionCancelled(RoundChange):
    """The requester or the hotline cancelled the prescription; `by` is who did."""

    TYPE = EventType.PRESCRIPTION_CANCELLED
    reason: str
    by: int


class PrescriptionExpired(RoundChange):
    """Nobody accepted before the response deadline."""

    TYPE = EventType.PRESCRIPTION_EXPIRED


class PrescriptionRenewed(RoundChange):
    """An expired or cancelled prescription was sent again (a new round)."""

    TYPE = EventType.PRESCRIPTION_RENEWED
    label: str
    notified_count: int
    deadline_at: IsoDateTime
    priority_until: IsoDateTime | None


class PrescriptionCommented(PrescriptionChange):
    """A comment was added to the prescription."""

    TYPE = EventType.PRESCRIPTION_COMMENTED
    comment_id: int
    user_id: int
    tag: str | None


class PrescriptionDocumentAdded(PrescriptionChange):
    """A document was attached to the prescription."""

    TYPE = EventType.PRESCRIPTION_DOCUMENT_ADDED
    document_id: int
    user_id: int
    content_type: str
    size: int


class PrescriptionVisited(PrescriptionChange):
    """The responder who accepted recorded a visit: `done` of the `planned` visits."""

    TYPE = EventType.PRESCRIPTION_VISITED
    visit_id: int
    user_id: int
    done: int
    planned: int


class PrescriptionReported(PrescriptionChange):
    """The responder who accepted wrote a report (« CR »)."""

    TYPE = EventType.PRESCRIPTION_REPORTED
    report_id: int
    user_id: int


class PrescriptionSeriesEnded(RoundChange):
    """The responder who accepted ended the series of care: the file went to their archive."""

    TYPE = EventType.PRESCRIPTION_SERIES_ENDED
    user_id: int
    state: PrescriptionState
