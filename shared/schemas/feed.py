"""The change feed's events, typed: a closed set of types and one frozen payload model per type.

On the wire (`GET /changes`, WebSocket `/events`) an event is an `EventView`: `seq`, `type` (a
string), `at`, `case_id`, `prescription_id` and `data` (a JSON object). This module is what
that `type` and `data` mean. A consumer turns each wire event into a `FeedEvent` and matches on
its payload's class instead of comparing strings and reading dict keys:

    event = parse_event(view)        # None: a type from a newer server, or a malformed payload
    if event is None:
        return                       # skip it (it is logged); the next events still come
    match event.payload:
        case PrescriptionAccepted(accepted_by_name=name):
            ...
        case PatientChange(patient_id=patient_id):   # any patient_* event
            ...

Families share a base class: `PatientChange` (the patient's file changed; the envelope has no
ids), `PrescriptionChange` (the envelope carries `case_id` and `prescription_id`), `RoundChange`
(a prescription change that says which round it is about), `CallChange`. `event.type` is the
`EventType` (a `StrEnum`: it compares equal to the wire string).

Decisions: an unknown type (a newer server) gives None with an INFO log line; a known type whose
`data` does not fit its model (a server bug, or an incompatible change) gives None with a WARNING
log line, so that one bad event never stops a follower — the view it concerns refreshes at its
next read. Neither ever raises. Extra keys in `data` are ignored (a newer server may add some).
`payload_of` is the strict form (raises), for the server's tests. The server emits only payload
models (`server/services/feed.py`), serialised by `EventPayload.data()`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, PlainSerializer, ValidationError

from shared.domain import PrescriptionState
from shared.schemas.dispatch import EventView

log = logging.getLogger("centrale.feed")

# Written as the server always wrote them: `datetime.isoformat()` ("…+00:00", not "…Z").
IsoDateTime = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str, when_used="json")]


class EventType(StrEnum):
    PATIENT_CREATED = "patient_created"
    PATIENT_UPDATED = "patient_updated"
    PATIENT_USUAL_PROFESSIONALS = "patient_usual_professionals"
    PATIENT_CASE = "patient_case"
    PATIENT_COMMENT = "patient_comment"
    PATIENT_DOCUMENT = "patient_document"
    PATIENT_VISIT = "patient_visit"
    PATIENT_REPORT = "patient_report"
    PATIENT_SERIES_ENDED = "patient_series_ended"
    PRESCRIPTION_SENT = "prescription_sent"
    PRESCRIPTION_POOL_OPENED = "prescription_pool_opened"
    PRESCRIPTION_ACCEPTED = "prescription_accepted"
    PRESCRIPTION_DECLINED = "prescription_declined"
    PRESCRIPTION_STARTED = "prescription_started"
    PRESCRIPTION_FINISHED = "prescription_finished"
    PRESCRIPTION_CANCELLED = "prescription_cancelled"
    PRESCRIPTION_EXPIRED = "prescription_expired"
    PRESCRIPTION_RENEWED = "prescription_renewed"
    PRESCRIPTION_COMMENTED = "prescription_commented"
    PRESCRIPTION_DOCUMENT_ADDED = "prescription_document_added"
    PRESCRIPTION_VISITED = "prescription_visited"
    PRESCRIPTION_REPORTED = "prescription_reported"
    PRESCRIPTION_SERIES_ENDED = "prescription_series_ended"
    CALL_RECORDED = "call_recorded"
    CALL_CALLBACK = "call_callback"
    INCIDENT_REPORTED = "incident_reported"


class EventPayload(BaseModel):
    """The `data` of one event type; `TYPE` is the type it travels under."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    TYPE: ClassVar[EventType]

    def data(self) -> dict[str, Any]:
        """The JSON object sent as the event's `data` (keys in field order)."""
        return self.model_dump(mode="json")


# --- the patient's file (ids only, never an identity; the envelope has no case or prescription) ---


class PatientChange(EventPayload):
    """Something was written on a patient's file; `version` is the file's version after it."""

    patient_id: int
    version: int


class PatientCreated(PatientChange):
    """A patient's file was created."""

    TYPE = EventType.PATIENT_CREATED


class PatientUpdated(PatientChange):
    """A patient's identity, address or contact details were changed."""

    TYPE = EventType.PATIENT_UPDATED


class PatientUsualProfessionals(PatientChange):
    """A patient's usual professionals were replaced."""

    TYPE = EventType.PATIENT_USUAL_PROFESSIONALS


class PatientCase(PatientChange):
    """A case (« déclenchement ») was sent for the patient."""

    TYPE = EventType.PATIENT_CASE


class PatientComment(PatientChange):
    """A comment on one of the patient's prescriptions reached their timeline."""

    TYPE = EventType.PATIENT_COMMENT


class PatientDocument(PatientChange):
    """A document on one of the patient's prescriptions reached their timeline."""

    TYPE = EventType.PATIENT_DOCUMENT


class PatientVisit(PatientChange):
    """A visit (« passage ») of one of the patient's prescriptions reached their timeline."""

    TYPE = EventType.PATIENT_VISIT


class PatientReport(PatientChange):
    """A report (« CR ») on one of the patient's prescriptions reached their timeline."""

    TYPE = EventType.PATIENT_REPORT


class PatientSeriesEnded(PatientChange):
    """A responder's end of a series of care (« Fin série de soins ») reached the timeline."""

    TYPE = EventType.PATIENT_SERIES_ENDED


# --- prescriptions (the envelope carries case_id and prescription_id) ---


class PrescriptionChange(EventPayload):
    """Something happened to one prescription."""


class RoundChange(PrescriptionChange):
    """A prescription change about one dispatch round (1, then 2 after a renewal, …)."""

    round: int


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


class PrescriptionAccepted(RoundChange):
    """A responder accepted the prescription."""

    TYPE = EventType.PRESCRIPTION_ACCEPTED
    accepted_by: int
    accepted_by_name: str


class PrescriptionDeclined(RoundChange):
    """A notified responder declined the prescription."""

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


# --- calls and incidents (no case or prescription in the envelope) ---


class CallChange(EventPayload):
    """A call record changed; `operator_id` is the operator who recorded the call."""

    call_id: str
    operator_id: int


class CallRecorded(CallChange):
    """A call record was created (`new`) or updated by the desktop that took the call."""

    TYPE = EventType.CALL_RECORDED
    outcome: str
    new: bool


class CallCallback(CallChange):
    """Someone took charge of calling back a missed call."""

    TYPE = EventType.CALL_CALLBACK


class IncidentReported(EventPayload):
    """An incident was reported to the supervisors of these networks."""

    TYPE = EventType.INCIDENT_REPORTED
    incident_id: int
    network_ids: tuple[int, ...]


EVENT_MODELS: Mapping[EventType, type[EventPayload]] = MappingProxyType(
    {
        model.TYPE: model
        for model in (
            PatientCreated,
            PatientUpdated,
            PatientUsualProfessionals,
            PatientCase,
            PatientComment,
            PatientDocument,
            PatientVisit,
            PatientReport,
            PatientSeriesEnded,
            PrescriptionSent,
            PrescriptionPoolOpened,
            PrescriptionAccepted,
            PrescriptionDeclined,
            PrescriptionStarted,
            PrescriptionFinished,
            PrescriptionCancelled,
            PrescriptionExpired,
            PrescriptionRenewed,
            PrescriptionCommented,
            PrescriptionDocumentAdded,
            PrescriptionVisited,
            PrescriptionReported,
            PrescriptionSeriesEnded,
            CallRecorded,
            CallCallback,
            IncidentReported,
        )
    }
)


@dataclass(frozen=True)
class FeedEvent:
    """A wire event with its typed payload."""

    seq: int
    at: datetime
    case_id: int | None
    prescription_id: int | None
    payload: EventPayload

    @property
    def type(self) -> EventType:
        return self.payload.TYPE

    def view(self) -> EventView:
        """The wire form (what `/changes` and `/events` send)."""
        return EventView(
            seq=self.seq,
            type=self.type.value,
            at=self.at,
            case_id=self.case_id,
            prescription_id=self.prescription_id,
            data=self.payload.data(),
        )


def payload_of(type_: str, data: Mapping[str, Any]) -> EventPayload:
    """The typed payload of a wire type and data; raises ValueError for an unknown type and
    pydantic's ValidationError (a ValueError too) for data that does not fit the type's model."""
    return EVENT_MODELS[EventType(type_)].model_validate(data)


def parse_event(view: EventView) -> FeedEvent | None:
    """The typed event, or None (logged, never raised) for an unknown type or a malformed payload."""
    try:
        type_ = EventType(view.type)
    except ValueError:
        log.info("change feed: event %s of unknown type %r skipped (newer server?)", view.seq, view.type)
        return None
    try:
        payload = EVENT_MODELS[type_].model_validate(view.data)
    except ValidationError as exc:
        log.warning("change feed: event %s (%s) skipped, its data does not fit: %s", view.seq, type_, exc)
        return None
    return FeedEvent(view.seq, view.at, view.case_id, view.prescription_id, payload)
