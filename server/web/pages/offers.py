"""An offer (« demande de prise en charge »): what a notified professional may know before
accepting — anonymised unless they are the patient's usual professional —, the area on a map,
and « Accepter » / « Décliner ». First acceptance wins (server/services/answers.py): a
professional who comes second reads why at once, and an open page learns it live.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.errors import Conflict
from server.services import prescription_actions
from server.services.acting import Acting
from server.web.context import PREFIX, web_of
from server.web.guard import Current, Post, Posted
from server.web.pages.common import DASHBOARD, acting, done, page, see_other
from server.web.render import html
from server.web.sessions import Visitor
from shared.schemas.dispatch import PrescriptionView

router = APIRouter()


def _map(request: Request, p: PrescriptionView) -> dict[str, object] | None:
    """The approximate area (a cell's centre and a circle holding the cell); never for a full
    view, whose position is the patient's own."""
    area = p.area
    if not p.anonymised or area.approx_latitude is None or area.approx_longitude is None:
        return None
    settings = web_of(request).settings
    return {
        "lat": area.approx_latitude,
        "lon": area.approx_longitude,
        "radius_km": area.approx_radius_km or 1.0,
        "tiles": settings.tile_url,
        "attribution": settings.tile_attribution,
    }


def _offer_page(
    request: Request, visitor: Visitor, p: PrescriptionView, *, status: int = 200, error: str = ""
) -> Response:
    return page(
        request,
        visitor,
        "offer.html",
        status=status,
        title="Demande de prise en charge",
        p=p,
        area_map=_map(request, p),
        error=error,
    )


def _mine(p: PrescriptionView, visitor: Visitor) -> bool:
    return p.accepted_by is not None and p.accepted_by.id == visitor.principal.id


@router.get("/demandes/{prescription_id}")
def offer(prescription_id: int, request: Request, visitor: Current) -> Response:
    p = prescription_actions.read(acting(request, visitor), prescription_id)
    if _mine(p, visitor):
        return see_other(f"{PREFIX}/soins/{prescription_id}")
    return _offer_page(request, visitor, p)


@router.get("/live/demande/{prescription_id}")
def offer_state(prescription_id: int, request: Request, visitor: Current) -> Response:
    p = prescription_actions.read(acting(request, visitor), prescription_id)
    return html("_offer_state_body.html", visitor=visitor, p=p, error="")


def _answer(
    request: Request, post: Posted, prescription_id: int, act: Callable[[Acting, int], object]
) -> Response | None:
    """Run the answer; a conflict (taken, expired…) shows the offer again with the reason."""
    who = acting(request, post.visitor)
    try:
        act(who, prescription_id)
    except Conflict as refusal:
        p = prescription_actions.read(who, prescription_id)
        return _offer_page(request, post.visitor, p, status=409, error=refusal.message)
    return None


@router.post("/demandes/{prescription_id}/accepter")
def accept(prescription_id: int, request: Request, post: Post) -> Response:
    refused = _answer(request, post, prescription_id, prescription_actions.accept)
    return refused or done(f"{PREFIX}/soins/{prescription_id}", "accepted")


@router.post("/demandes/{prescription_id}/decliner")
def decline(prescription_id: int, request: Request, post: Post) -> Response:
    refused = _answer(request, post, prescription_id, prescription_actions.decline)
    return refused or done(DASHBOARD, "declined")
