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
(a prescription change that says which round it is about), `CallChange`, `ThreadChange` (a
messaging thread: its id and current participants). `event.type` is the
`EventType` (a `StrEnum`: it compares equal to the wire string).

Decisions: an unknown type (a newer server) gives None with an INFO log line; a known type whose
`data` does not fit its model (a server bug, or an incompatible change) gives None with a WARNING
log line, so that one bad event never stops a follower — the view it concerns refreshes at its
next read. Neither ever raises. Extra keys in `data` are ignored (a newer server may add some).
`payload_of` is the strict form (raises), for the server's tests. The server emits only payload
models (`server/services/feed.py`), serialised by `EventPayload.data()`.

The models live by family beside this module (`feed_types.py`: the types and the base;
`feed_patient.py`, `feed_prescription.py`, `feed_activity.py`); import them from here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from shared.schemas.dispatch import EventView
from shared.schemas.feed_activity import (
    AgentStateChanged,
    CallCallback,
    CallChange,
    CallRecorded,
    HotlineQueueChanged,
    IncidentReported,
    MessagePosted,
    ThreadChange,
    ThreadParticipantsChanged,
    ThreadRead,
)
from shared.schemas.feed_patient import (
    PatientCase,
    PatientChange,
    PatientComment,
    PatientCreated,
    PatientDocument,
    PatientReport,
    PatientSeriesEnded,
    PatientUpdated,
    PatientUsualProfessionals,
    PatientVisit,
)
from shared.schemas.feed_prescription import (
    AnswerChange,
    PrescriptionAccepted,
    PrescriptionCancelled,
    PrescriptionChange,
    PrescriptionCommented,
    PrescriptionDeclined,
    PrescriptionDocumentAdded,
    PrescriptionExpired,
    PrescriptionFinished,
    PrescriptionPoolOpened,
    PrescriptionRenewed,
    PrescriptionReported,
    PrescriptionSent,
    PrescriptionSeriesEnded,
    PrescriptionStarted,
    PrescriptionVisited,
    RoundChange,
)
from shared.schemas.feed_types import (
    EventPayload,
    EventType,
    IsoDateTime,
)

__all__ = [
    "EVENT_MODELS",
    "AgentStateChanged",
    "AnswerChange",
    "CallCallback",
    "CallChange",
    "CallRecorded",
    "EventPayload",
    "EventType",
    "FeedEvent",
    "HotlineQueueChanged",
    "IncidentReported",
    "IsoDateTime",
    "MessagePosted",
    "PatientCase",
    "PatientChange",
    "PatientComment",
    "PatientCreated",
    "PatientDocument",
    "PatientReport",
    "PatientSeriesEnded",
    "PatientUpdated",
    "PatientUsualProfessionals",
    "PatientVisit",
    "PrescriptionAccepted",
    "PrescriptionCancelled",
    "PrescriptionChange",
    "PrescriptionCommented",
    "PrescriptionDeclined",
    "PrescriptionDocumentAdded",
    "PrescriptionExpired",
    "PrescriptionFinished",
    "PrescriptionPoolOpened",
    "PrescriptionRenewed",
    "PrescriptionReported",
    "PrescriptionSent",
    "PrescriptionSeriesEnded",
    "PrescriptionStarted",
    "PrescriptionVisited",
    "RoundChange",
    "ThreadChange",
    "ThreadParticipantsChanged",
    "ThreadRead",
    "parse_event",
    "payload_of",
]

log = logging.getLogger("centrale.feed")


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
            AgentStateChanged,
            HotlineQueueChanged,
            MessagePosted,
            ThreadParticipantsChanged,
            ThreadRead,
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
