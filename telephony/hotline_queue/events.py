"""What the queue holder's SIP line reports (typed, never pjsua2 objects) and what it is asked.

A waiting caller is named by ``caller``, the line's own number for their call; the operator's
call made for them is reached through the same number (one offer per caller at a time).
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CallerArrived:
    caller: int
    sip_call_id: str  # the Call-ID Kamailio kept: the server's key for the hotline call
    number: str  # E.164 when it could be normalised (P-Asserted-Identity, else From)
    display_name: str


@dataclass(frozen=True, slots=True)
class CallerAnswered:
    """The caller's audio is up: the announcement starts."""

    caller: int


class Playing(enum.StrEnum):
    ANNOUNCEMENT = "announcement"
    HOLD_TONE = "hold_tone"


@dataclass(frozen=True, slots=True)
class PlaybackStarted:
    caller: int
    what: Playing


@dataclass(frozen=True, slots=True)
class CallerLeft:
    """The caller hung up (or their call failed)."""

    caller: int
    code: int


@dataclass(frozen=True, slots=True)
class OperatorRinging:
    caller: int


@dataclass(frozen=True, slots=True)
class OperatorAnswered:
    """The operator took the call: both legs' audio are bridged."""

    caller: int


@dataclass(frozen=True, slots=True)
class OperatorFailed:
    """The offer ended without an answer: rang out (408), refused, unreachable."""

    caller: int
    code: int
    reason: str


@dataclass(frozen=True, slots=True)
class OperatorLeft:
    """The operator hung up a bridged call."""

    caller: int


LineEvent = (
    CallerArrived
    | CallerAnswered
    | PlaybackStarted
    | CallerLeft
    | OperatorRinging
    | OperatorAnswered
    | OperatorFailed
    | OperatorLeft
)


def line_event_to_json(event: LineEvent) -> dict[str, Any]:
    fields = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    plain = {k: v.value if isinstance(v, enum.Enum) else v for k, v in fields.items()}
    return {"event": type(event).__name__, **plain}


_KINDS: dict[str, type[LineEvent]] = {
    kind.__name__: kind
    for kind in (
        CallerArrived, CallerAnswered, PlaybackStarted, CallerLeft, OperatorRinging, OperatorAnswered,
        OperatorFailed, OperatorLeft,
    )
}  # fmt: skip


def line_event_from_json(fields: dict[str, Any], caller: int | None = None) -> LineEvent | None:
    """The event a line worker printed (None: not a line event); ``caller`` replaces its number."""
    kind = _KINDS.get(str(fields.get("event")))
    if kind is None:
        return None
    values = {f.name: fields[f.name] for f in dataclasses.fields(kind)}
    if "what" in values:
        values["what"] = Playing(values["what"])
    if caller is not None:
        values["caller"] = caller
    return kind(**values)
