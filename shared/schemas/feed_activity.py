"""The change feed's call and incident families (no case or prescription in the envelope)."""

from __future__ import annotations

from shared.schemas.feed_types import EventPayload, EventType

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
