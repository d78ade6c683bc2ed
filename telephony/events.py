"""Typed events coming out of the softphone: frozen dataclasses, never pjsua2 objects.

Every event can be turned into one JSON object (``event_to_json``), which is what
``centrale-phone listen --json`` prints, one line per event.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any


class RegistrationStatus(enum.StrEnum):
    REGISTERING = "registering"
    REGISTERED = "registered"
    UNREGISTERED = "unregistered"
    AUTH_FAILED = "auth_failed"  # wrong user or password: not retried
    RETRYING = "retrying"  # registrar unreachable or refusing: retried with back-off


class CallDirection(enum.StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class CallState(enum.StrEnum):
    CALLING = "calling"
    INCOMING = "incoming"
    EARLY = "early"  # ringing (180/183)
    CONNECTING = "connecting"
    CONFIRMED = "confirmed"
    DISCONNECTED = "disconnected"


class MediaState(enum.StrEnum):
    NONE = "none"
    ACTIVE = "active"
    LOCAL_HOLD = "local_hold"
    REMOTE_HOLD = "remote_hold"
    ERROR = "error"


class EndCause(enum.StrEnum):
    COMPLETED = "completed"  # answered, then hung up by either side
    MISSED = "missed"  # incoming, the caller gave up before an answer
    REJECTED = "rejected"  # incoming, refused by the operator (486/603)
    UNANSWERED = "unanswered"  # outgoing, the far end never answered (busy, declined, timeout)
    FAILED = "failed"  # network or protocol error
    TRANSFERRED = "transferred"  # ended after a successful blind transfer


@dataclass(frozen=True, slots=True)
class RegistrationChanged:
    status: RegistrationStatus
    code: int  # last SIP status code (0 when none yet)
    reason: str  # SIP reason phrase, as received
    message: str  # French, for the operator's status bar
    retry_in_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class IncomingCall:
    call_id: int
    caller: str  # E.164 when the number could be normalised, else the raw user part
    caller_raw: str
    display_name: str
    called: str  # the number or queue that was dialled (user part of To)
    sip_call_id: str
    received_at: datetime
    waiting: bool  # another call is already in progress (call waiting)


@dataclass(frozen=True, slots=True)
class OutgoingCallStarted:
    call_id: int
    destination: str
    sip_call_id: str
    started_at: datetime
    # CLOCK_MONOTONIC just before the INVITE was handed to the transport: the clock is system-wide
    # on Linux, so another process (the desktop) can time the INVITE's journey against it
    sent_monotonic: float = 0.0


@dataclass(frozen=True, slots=True)
class CallStateChanged:
    call_id: int
    state: CallState
    code: int
    reason: str


@dataclass(frozen=True, slots=True)
class CallMediaChanged:
    call_id: int
    media: MediaState
    muted: bool


@dataclass(frozen=True, slots=True)
class DtmfReceived:
    call_id: int
    digit: str


@dataclass(frozen=True, slots=True)
class TransferProgress:
    call_id: int
    code: int  # status of the transferred call as reported by the transferee (NOTIFY)
    reason: str
    final: bool


@dataclass(frozen=True, slots=True)
class CallEnded:
    call_id: int
    direction: CallDirection
    cause: EndCause
    code: int
    reason: str
    duration_seconds: float  # connected time, 0 when never answered
    ended_at: datetime


@dataclass(frozen=True, slots=True)
class Candidate:
    """One professional (or patient) the caller's number belongs to."""

    kind: str  # "professional" or "patient"
    id: str
    display_name: str
    detail: str = ""  # profession, city… (what the popup shows to tell candidates apart)
    profession: str = ""  # the profession alone (the wizard's « Profession »), never the town


class IdentificationOutcome(enum.StrEnum):
    IDENTIFIED = "identified"  # one or more candidates
    UNKNOWN = "unknown"  # the lookup answered: nobody has this number
    PENDING = "pending"  # the lookup is slow: the number is shown, candidates may follow
    FAILED = "failed"  # the lookup failed or timed out for good


@dataclass(frozen=True, slots=True)
class CallerIdentified:
    call_id: int
    number: str
    outcome: IdentificationOutcome
    candidates: tuple[Candidate, ...]
    from_cache: bool
    identified_at: datetime


PhoneEvent = (
    RegistrationChanged
    | IncomingCall
    | OutgoingCallStarted
    | CallStateChanged
    | CallMediaChanged
    | DtmfReceived
    | TransferProgress
    | CallEnded
    | CallerIdentified
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def event_to_json(event: PhoneEvent) -> dict[str, Any]:
    """``{"event": "<class name>", <fields>…}`` with ISO datetimes and enum values."""
    fields = {f.name: _plain(getattr(event, f.name)) for f in dataclasses.fields(event)}
    if isinstance(event, CallerIdentified):
        fields["candidates"] = [dataclasses.asdict(c) for c in event.candidates]
    return {"event": type(event).__name__, **fields}
