"""The change feed's call and incident families (no case or prescription in the envelope)."""

from __future__ import annotations

from shared.schemas.feed_types import EventPayload, EventType

# --- calls and incidents (no case or prescription in the envelope) ---


class CallChange(EventPayload):
    """A call record changed; `operator_id` is the operator who recorded the call (None: a hotline
    call lost in the queue)."""

    call_id: str
    operator_id: int | None


class CallRecorded(CallChange):
    """A call record was created (`new`) or updated (by a desktop; by the server for a lost call)."""

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


# --- the hotline's distribution (issue 19; no case or prescription in the envelope) ---


class AgentStateChanged(EventPayload):
    """An operator's state changed (set by their desktop, or by the server: `automatic` says why,
    « unanswered » after too many unanswered calls, « disconnected » when the desktop vanished)."""

    TYPE = EventType.AGENT_STATE_CHANGED
    user_id: int
    state: str
    pause_reason: str | None = None
    automatic: str | None = None


class HotlineQueueChanged(EventPayload):
    """A caller entered the queue, was offered to an operator, answered, or hung up waiting."""

    TYPE = EventType.HOTLINE_QUEUE_CHANGED
    entry_id: int
    state: str
    waiting: int  # callers waiting after this change


# --- messaging (issue 20; no case or prescription in the envelope, no patient either: the
# thread's readers fetch it through the routes, where the access rules apply) ---


class ThreadChange(EventPayload):
    """Something changed in a thread; `participant_ids` are its current participants (those who
    have not left), so a follower knows at once whether the thread is theirs."""

    thread_id: int
    participant_ids: tuple[int, ...]


class MessagePosted(ThreadChange):
    """A message was posted (the thread's creation posts its first one)."""

    TYPE = EventType.MESSAGE_POSTED
    message_id: int
    author_id: int


class ThreadParticipantsChanged(ThreadChange):
    """Participants were added (`added`) or one left the thread (`left`).

    The one who left is no longer among `participant_ids` but still receives this one event."""

    TYPE = EventType.THREAD_PARTICIPANTS_CHANGED
    added: tuple[int, ...] = ()
    left: int | None = None


class ThreadRead(ThreadChange):
    """A participant's read mark moved (« vu par », the unread badges of their other devices)."""

    TYPE = EventType.THREAD_READ
    user_id: int
    up_to_message_id: int
