"""« Profil Activité » (seeds 000, FAQ): the status (« Disponible (C&V) », « Disponible Cabinet »,
« Disponible Visite », « Indisponible » for 1 to 48 h), « Pref. Notifs » (per weekday: all day,
custom hours, or unavailable all day) and « Pref. PeC » (visits and/or office, the radius, the
communes served, chosen with the commune autocomplete). Saved through server/services/profile.py,
which matching reads: the next case sent follows the change. Its notification channels and this
device's notifications are pages/channels.py's and pages/push.py's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.errors import Invalid
from server.services import profile
from server.web.communes import code_of, label, suggestions
from server.web.context import PREFIX
from server.web.guard import Current, Post
from server.web.pages import channels, push
from server.web.pages.common import acting, done, page
from server.web.render import html
from shared.domain import Availability
from shared.schemas.professional import DaySchedule, Hours, ProfileUpdate

router = APIRouter()

WEEKDAYS = ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")
DAY_STATES = (
    ("all_day", "Disponible toute la journée"),
    ("custom", "Horaires personnalisés"),
    ("off", "Indisponible toute la journée"),
)
PAUSES = (1, 2, 4, 8, 12, 24, 48)
RANGES_PER_DAY = 2


@router.get("/profil")
def profile_page(request: Request, visitor: Current) -> Response:
    who = acting(request, visitor)
    mine = profile.read(who)
    return page(
        request,
        visitor,
        "profile.html",
        title="Profil Activité",
        me=mine,
        statuses=[(a.value, a.label) for a in Availability if a != Availability.UNAVAILABLE],
        pauses=PAUSES,
        weekdays=WEEKDAYS,
        day_states=DAY_STATES,
        ranges=RANGES_PER_DAY,
        channel_rows=channels.rows(mine.channels),
        per_event=channels.per_event(),
        devices=push.devices(who),
        vapid_public_key=push.vapid_public_key(request),
    )


def _save(request: Request, post: Post, body: ProfileUpdate) -> Response:
    profile.update(acting(request, post.visitor), body)
    return done(f"{PREFIX}/profil", "profile")


@router.post("/profil/statut")
def status(request: Request, post: Post) -> Response:
    chosen = post.text("statut")
    if chosen == "pause":
        hours = int(post.text("duree") or "0")
        if hours not in PAUSES:
            raise Invalid("pause_hours", "Choisissez une durée d'indisponibilité entre 1 h et 48 h")
        until = acting(request, post.visitor).now + timedelta(hours=hours)
        return _save(
            request, post, ProfileUpdate(availability=Availability.UNAVAILABLE, unavailable_until=until)
        )
    return _save(request, post, ProfileUpdate(availability=Availability(chosen)))


def _day(post: Post, weekday: int) -> DaySchedule:
    state = post.text(f"jour_{weekday}") or "all_day"
    hours = []
    if state == "custom":
        for n in range(RANGES_PER_DAY):
            start, end = post.text(f"debut_{weekday}_{n}"), post.text(f"fin_{weekday}_{n}")
            if start or end:
                hours.append(Hours(start=start, end=end))
    return DaySchedule.model_validate({"weekday": weekday, "state": state, "hours": hours})


@router.post("/profil/notifications")
def notifications(request: Request, post: Post) -> Response:
    days = [_day(post, weekday) for weekday in range(7)]
    return _save(request, post, ProfileUpdate(notification_windows=days))


@router.post("/profil/prise-en-charge")
def care_preferences(request: Request, post: Post) -> Response:
    modes = [m for m in ("visit", "office") if post.text(f"mode_{m}")]
    if not modes:
        raise Invalid(
            "care_modes_empty", "Choisissez les visites à domicile, les consultations au cabinet, ou les deux"
        )
    communes = [str(c) for c in post.form.getlist("communes")]
    added = post.text("ajout")
    if added:
        communes.append(code_of(added))
    fields: dict[str, Any] = {"care_modes": modes, "communes": sorted(set(communes))}
    radius = post.text("rayon").replace(",", ".")
    if radius:
        fields["radius_km"] = radius
    return _save(request, post, ProfileUpdate.model_validate(fields))


@router.get("/communes")
def commune_suggestions(_visitor: Current, ajout: str = "") -> Response:
    """The autocomplete's choices (a <datalist>), by name or postal code."""
    return html("_communes.html", found=suggestions(ajout), label=label)
