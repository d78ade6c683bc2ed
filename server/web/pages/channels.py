"""« Profil Activité » → « Canaux de notification »: which events reach the professional on which
channel (a notification on their subscribed devices, SMS, e-mail), beside « Pref. Notifs ».

A plain form (checkboxes, one fieldset per event), saved through the same service as
`PUT /me/profile` (server/services/profile.py). The stored shape and its rule are
server/notify/preferences.py's: a channel is used for an event when its switch is on and the event
names it. While `Channels` (shared/schemas/professional.py) has only the three switches, the form
shows those; once it carries `events`, one row per event: a channel's switch is then on exactly
when some event uses it, so what is ticked is what is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.notify.preferences import PROFILE_CHANNELS, event_channels
from server.services import profile
from server.web.context import PREFIX
from server.web.guard import Post, Posted
from server.web.pages.common import acting, done
from shared.schemas.professional import Channels, ProfileUpdate

router = APIRouter()

CHANNEL_LABELS = {"push": "Notification sur l'appareil", "sms": "SMS", "email": "E-mail"}
EVENT_LABELS = {
    "offer": "Nouvelle demande de prise en charge",
    "offer_taken": "Demande déjà prise par un confrère",
    "request_accepted": "Ma demande acceptée",
    "request_expired": "Ma demande expirée sans réponse",
    "patient_comment": "Nouveau commentaire sur mon patient",
    "message": "Nouveau message",
}


def per_event() -> bool:
    """Does the profile's schema carry the per-event choices yet?"""
    return "events" in Channels.model_fields


@dataclass(frozen=True)
class Box:
    name: str  # the form field
    label: str
    checked: bool


@dataclass(frozen=True)
class Row:
    """One fieldset of the form: an event's three channels, or the three switches."""

    key: str
    legend: str
    boxes: list[Box]


def rows(channels: Channels) -> list[Row]:
    """What the form shows: the effective choices (switch on and named for the event)."""
    stored = channels.model_dump(mode="json")
    if not per_event():
        boxes = [Box(f"canal_{c}", CHANNEL_LABELS[c], bool(stored.get(c))) for c in PROFILE_CHANNELS]
        return [Row("canaux", "Canaux utilisés", boxes)]
    found = []
    for event, legend in EVENT_LABELS.items():
        wanted = event_channels(stored, event)
        boxes = [Box(f"canal_{event}_{c}", CHANNEL_LABELS[c], wanted[c]) for c in PROFILE_CHANNELS]
        found.append(Row(event, legend, boxes))
    return found


def posted_channels(post: Posted) -> Channels:
    """The form's checkboxes as the profile's `channels`."""
    if not per_event():
        return Channels.model_validate({c: bool(post.text(f"canal_{c}")) for c in PROFILE_CHANNELS})
    events = {
        event: [c for c in PROFILE_CHANNELS if post.text(f"canal_{event}_{c}")] for event in EVENT_LABELS
    }
    stored: dict[str, Any] = {c: any(c in chosen for chosen in events.values()) for c in PROFILE_CHANNELS}
    stored["events"] = events
    return Channels.model_validate(stored)


@router.post("/profil/canaux")
def save_channels(request: Request, post: Post) -> Response:
    profile.update(acting(request, post.visitor), ProfileUpdate(channels=posted_channels(post)))
    return done(f"{PREFIX}/profil", "profile")
