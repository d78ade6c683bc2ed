"""Small fragments the live feed asks for (server/web/live.py): the header's badge, and the
session check that sends an ended session back to the login page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from server.web.context import web_of
from server.web.guard import Current
from server.web.pages.common import chrome
from server.web.render import html

router = APIRouter(prefix="/live")


@router.get("/badge")
def badge(request: Request, visitor: Current) -> Response:
    return html("_badge_link.html", visitor=visitor, **chrome(web_of(request), visitor))


@router.get("/session")
def session(_visitor: Current) -> Response:
    """Still valid: nothing to do (an ended one answers HX-Redirect to the login page)."""
    return Response(status_code=204)
