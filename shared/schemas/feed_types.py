"""The change feed's closed set of event types and the base of every payload (shared/schemas/feed.py
is the public face: it gathers the families and parses wire events)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, PlainSerializer

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
    AGENT_STATE_CHANGED = "agent_state_changed"
    HOTLINE_QUEUE_CHANGED = "hotline_queue_changed"
    MESSAGE_POSTED = "message_posted"
    THREAD_PARTICIPANTS_CHANGED = "thread_participants_changed"
    THREAD_READ = "thread_read"


class EventPayload(BaseModel):
    """The `data` of one event type; `TYPE` is the type it travels under."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    TYPE: ClassVar[EventType]

    def data(self) -> dict[str, Any]:
        """The JSON object sent as the event's `data` (keys in field order)."""
        return self.model_dump(mode="json")
