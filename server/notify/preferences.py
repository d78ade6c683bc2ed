"""A professional's notification preferences: which events on which channel, and quiet hours.

Stored in `professional_profiles.channels` (the JSON `GET/PUT /me/profile` reads and writes):

    {"push": true, "sms": false, "email": false,                 # each channel on or off
     "events": {"offer": ["push", "sms", "email"], "offer_taken": ["push"], …}}   # optional

A channel is used for an event when it is on **and** the event's list names it; an event missing
from `events` (or no `events` at all: every profile before this one) uses `DEFAULT_EVENTS`.

Quiet hours are « Pref. Notifs » (`notification_windows`, in the professional's time zone): offers
are only matched inside them (server/services/matching.py); the other events are not urgent, so
outside the windows their push and SMS are recorded `suppressed` (« heures de silence »), while
an e-mail, which rings nothing, still goes. Account messages (codes, links) ignore them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROFILE_CHANNELS = ("push", "sms", "email")
EVENT_KINDS = ("offer", "offer_taken", "request_accepted", "request_expired", "patient_comment", "message")
EVENT_LABELS = {
    "offer": "Nouvelle offre",
    "offer_taken": "Offre déjà prise par un confrère",
    "request_accepted": "Ma demande acceptée",
    "request_expired": "Ma demande expirée sans réponse",
    "patient_comment": "Nouveau commentaire sur mon patient",
    "message": "Nouveau message",
}
CHANNEL_LABELS = {"push": "Notification sur l'appareil", "sms": "SMS", "email": "E-mail"}
DEFAULT_EVENTS: dict[str, tuple[str, ...]] = {
    "offer": ("push", "sms", "email"),
    "offer_taken": ("push",),
    "request_accepted": ("push", "email"),
    "request_expired": ("push", "sms", "email"),
    "patient_comment": ("push",),
    "message": ("push", "email"),
}
DEFAULT_SWITCHES = {"push": True, "sms": False, "email": False}
URGENT = frozenset({"offer"})  # matched within the windows already
RINGS = frozenset({"push", "sms"})  # what quiet hours silence

QUIET_HOURS = "heures de silence"
CHANNEL_OFF = "canal désactivé"
NO_ADDRESS = "aucune coordonnée pour ce canal"
NO_DEVICE = "aucun appareil abonné aux notifications"


@dataclass(frozen=True)
class Decision:
    channel: str
    send: bool
    reason: str | None = None  # why not, in French


def event_channels(channels: Mapping[str, Any] | None, event: str) -> dict[str, bool]:
    """Each profile channel: is it wanted for `event`? (switch on and named for the event)."""
    stored = dict(channels or {})
    events = stored.get("events") if isinstance(stored.get("events"), dict) else None
    named = events.get(event) if events is not None and event in events else DEFAULT_EVENTS.get(event, ())
    wanted = set(named) if isinstance(named, list | tuple) else set()
    return {
        channel: bool(stored.get(channel, DEFAULT_SWITCHES[channel])) and channel in wanted
        for channel in PROFILE_CHANNELS
    }


def in_quiet_hours(windows: list[dict[str, Any]] | None, tz_name: str | None, now: datetime) -> bool:
    """Outside every window of « Pref. Notifs » (none: never quiet), in the professional's zone."""
    if not windows:
        return False
    try:
        local = now.astimezone(ZoneInfo(tz_name or "Europe/Paris"))
    except (ZoneInfoNotFoundError, ValueError):
        local = now.astimezone(ZoneInfo("Europe/Paris"))
    hhmm = f"{local.hour:02d}:{local.minute:02d}"
    return not any(
        w.get("weekday") == local.weekday() and w.get("start", "") <= hhmm < w.get("end", "") for w in windows
    )


def decide(
    channels: Mapping[str, Any] | None,
    windows: list[dict[str, Any]] | None,
    tz_name: str | None,
    event: str,
    now: datetime,
) -> list[Decision]:
    """For each channel, send or not and why: the preferences, then quiet hours."""
    wanted = event_channels(channels, event)
    quiet = event not in URGENT and in_quiet_hours(windows, tz_name, now)
    decisions = []
    for channel in PROFILE_CHANNELS:
        if not wanted[channel]:
            decisions.append(Decision(channel, False, CHANNEL_OFF))
        elif quiet and channel in RINGS:
            decisions.append(Decision(channel, False, QUIET_HOURS))
        else:
            decisions.append(Decision(channel, True))
    return decisions
