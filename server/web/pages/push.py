"""« Notifications sur cet appareil »: the browser's Web Push subscription, from the profile page.

The page's script (static/push.js) registers the service worker, asks the permission, subscribes
with the VAPID public key written in the page (`vapid_public_key`) and posts the browser's
`PushSubscription.toJSON()` here as JSON with the session's CSRF token (``X-CSRF-Token``); the
same service as the JSON API's `POST /me/push-subscriptions` keeps it (server/services/
push_subscriptions.py: audited, the same endpoint again moves to the caller). These two answer
JSON, with a French ``detail`` when refused, since only the script calls them. A device can also be
removed from the list with a plain form (no JavaScript needed: a lost phone).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from server.notify.push import load_vapid_key
from server.services import push_subscriptions
from server.services.acting import Acting
from server.validation_messages import location_label, translate_validation_error
from server.web.context import PREFIX, web_of
from server.web.guard import Post
from server.web.pages.common import acting, done
from shared.schemas.notify import PushSubscriptionIn, PushSubscriptionOut

router = APIRouter(prefix="/notifications")

SUBSCRIBED = "Notifications activées sur cet appareil."
UNSUBSCRIBED = "Notifications désactivées sur cet appareil."
MAX_BODY_BYTES = 4096  # a subscription is about 400 bytes


def vapid_public_key(request: Request) -> str:
    """The browsers' `applicationServerKey`: the secret store's key pair, else the one the server
    generated and keeps in its database (the notifier loads the same at start). Read once."""
    state = request.app.state
    cached: str | None = getattr(state, "vapid_public_key", None)
    if cached is None:
        web = web_of(request)
        notify = web.core.settings.notify
        cached = load_vapid_key(web.db, notify.vapid_private_key, notify.vapid_subject, web.now()).public_key
        state.vapid_public_key = cached
    return cached


PUSH_SERVICES = (  # a push service's host → the browser family the page names
    ("fcm.googleapis.com", "Chrome, Edge ou Android"),
    ("push.services.mozilla.com", "Firefox"),
    ("push.apple.com", "Safari (iPhone, iPad, Mac)"),
    ("notify.windows.com", "Edge (Windows)"),
)


@dataclass(frozen=True)
class Device:
    id: int
    browser: str
    since: datetime


def browser_of(endpoint_origin: str) -> str:
    host = urlsplit(endpoint_origin).hostname or ""
    for suffix, name in PUSH_SERVICES:
        if host == suffix or host.endswith("." + suffix):
            return name
    return f"Navigateur ({host or 'inconnu'})"


def devices(who: Acting) -> list[Device]:
    """The professional's subscribed browsers, oldest first, for the profile page's list."""
    return [Device(s.id, browser_of(s.endpoint_origin), s.created_at) for s in push_subscriptions.mine(who)]


def refused(status: int, detail: str, code: str) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code}, status_code=status)


def _message(error: dict[str, Any]) -> str:
    """The first error of a subscription, in French (a validator's own message when it has one)."""
    failure = (error.get("ctx") or {}).get("error")
    field, message, _code = translate_validation_error(error)
    if error.get("type") == "value_error" and isinstance(failure, ValueError):
        message = str(failure)
    where = location_label(tuple(error.get("loc", ())))
    return f"{where} : {message}" if field else message


async def _json_body(request: Request) -> Any:
    """The posted JSON, or None when it is not JSON at all (or too big to be a subscription)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        return None  # a form's body was read by the CSRF check already
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return None
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


@router.post("/abonnement")
async def subscribe(request: Request, post: Post) -> Response:
    data = await _json_body(request)
    if not isinstance(data, dict):
        detail = "Abonnement illisible : l'objet JSON de l'abonnement du navigateur est attendu."
        return refused(400, detail, "push_subscription_unreadable")
    try:
        body = PushSubscriptionIn.model_validate(data)
    except ValidationError as exc:
        detail = f"Abonnement aux notifications refusé : {_message(dict(exc.errors()[0]))}"
        return refused(422, detail, "push_subscription_invalid")
    saved: PushSubscriptionOut = await run_in_threadpool(
        push_subscriptions.subscribe, acting(request, post.visitor), body
    )
    return JSONResponse({"id": saved.id, "message": SUBSCRIBED}, status_code=201)


@router.post("/desabonnement")
async def unsubscribe(request: Request, post: Post) -> Response:
    """The browser unsubscribed itself: forget its endpoint (nothing to forget is fine too)."""
    data = await _json_body(request)
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 1000:
        return refused(
            400, "Désabonnement illisible : l'adresse de l'abonnement est attendue.", "push_endpoint"
        )
    removed = await run_in_threadpool(
        push_subscriptions.unsubscribe_endpoint, acting(request, post.visitor), endpoint
    )
    return JSONResponse({"removed": removed, "message": UNSUBSCRIBED})


@router.post("/appareils/{subscription_id}/retirer")
def remove_device(request: Request, subscription_id: int, post: Post) -> Response:
    """« Retirer » a device from the profile page's list (a plain form)."""
    push_subscriptions.unsubscribe(acting(request, post.visitor), subscription_id)
    return done(f"{PREFIX}/profil", "profile")
