"""Getting in and out: the login (`/pro/`), the quick unlock by PIN on a trusted device (the
seeds' « schéma »), choosing that PIN after a password login, « Schéma oublié / Autre personne »,
and the logout.

Before a session exists, the forms are protected by a double-submit token (a cookie and the same
value in a hidden field) and the Origin check; after, by the session's CSRF token
(server/web/guard.py).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from server.errors import Invalid
from server.models import User
from server.web.context import client_label, origin_of, web_of
from server.web.credentials import check_password
from server.web.devices import (
    DEVICE_COOKIE,
    blocked_message,
    check_pin,
    device_of,
    forget_device,
    seconds_blocked,
    trust_device,
    unlock,
)
from server.web.guard import Current, Post, audit_refusal, same_site
from server.web.pages.common import HOME, done, drop_cookie, page, safe_next, see_other, set_cookie
from server.web.pages.demo_messages import demo_messages_shown
from server.web.render import html
from server.web.sessions import SESSION_COOKIE, LoginRequired, close_session, open_session, visitor_of

router = APIRouter()

LOGIN_COOKIE = "centrale_login"
LOGIN_FIELD = "jeton"
EXPIRED = "Session expirée : reconnectez-vous."
FORM_EXPIRED = "Le formulaire a expiré : recommencez."


def _welcome(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """A page before the session, with a fresh double-submit token."""
    token = secrets.token_urlsafe(24)
    context.setdefault("demo_messages", demo_messages_shown(request))  # the demo's SMS and e-mails
    response = html(template, status=status, login_token=token, **context)
    set_cookie(response, request, LOGIN_COOKIE, token, max_age=3600)
    return response


async def _genuine_welcome_post(request: Request) -> bool:
    form = await request.form()
    field, cookie = form.get(LOGIN_FIELD), request.cookies.get(LOGIN_COOKIE)
    ok = (
        same_site(request)
        and isinstance(field, str)
        and cookie is not None
        and hmac.compare_digest(field.encode(), cookie.encode())
    )
    if not ok:
        await run_in_threadpool(audit_refusal, request, None, "login_token")
    return ok


@router.get("/")
def home(request: Request, expiree: str | None = None, suite: str | None = None) -> Response:
    web = web_of(request)
    now = web.now()
    with web.db.session() as session:
        try:
            visitor_of(session, request.cookies.get(SESSION_COOKIE), now, web.settings)
        except LoginRequired:
            pass
        else:
            return see_other(safe_next(suite))
        device = device_of(session, request.cookies.get(DEVICE_COOKIE), now, web.settings)
        owner = session.get(User, device.user_id) if device else None
        wait = seconds_blocked(session, device, now) if device else 0
    message = EXPIRED if expiree else ""
    next_page = safe_next(suite)
    if owner is not None:
        message = blocked_message(wait) if wait else message
        return _welcome(
            request,
            "pin.html",
            title="Saisir schéma",
            name=owner.display_name,
            message=message,
            suite=next_page,
        )
    return _welcome(request, "login.html", title="Connexion", message=message, suite=next_page, username="")


@router.post("/connexion")
async def login(request: Request) -> Response:
    form = await request.form()
    username, password = str(form.get("identifiant", "")), str(form.get("mot_de_passe", ""))
    next_page = safe_next(str(form.get("suite", "")))
    if not await _genuine_welcome_post(request):
        return _welcome(
            request,
            "login.html",
            403,
            title="Connexion",
            message=FORM_EXPIRED,
            suite=next_page,
            username=username,
        )
    return await run_in_threadpool(_login, request, username, password, next_page)


def _login(request: Request, username: str, password: str, next_page: str) -> Response:
    web = web_of(request)
    now = web.now()
    device_cookie = request.cookies.get(DEVICE_COOKIE)

    def open_web_session(session: Session, user: User) -> tuple[str, bool]:
        device = device_of(session, device_cookie, now, web.settings)
        trusted = device is not None and device.user_id == user.id
        if device is not None and not trusted:  # someone else's device: forgotten
            device.forgotten = True
        token = open_session(
            session,
            user,
            now,
            web.settings,
            method="password",
            client=client_label(request),
            device_id=device.id if trusted and device else None,
        )
        return token, trusted

    limits = web.core.settings.login
    outcome = check_password(web.db, limits, now, username, password, origin_of(request), open_web_session)
    if outcome.opened is None:
        status = 429 if outcome.blocked else 401
        return _welcome(
            request,
            "login.html",
            status,
            title="Connexion",
            message=outcome.refusal,
            suite=next_page,
            username=username,
        )
    token, trusted = outcome.opened
    target = next_page if trusted else f"{HOME}schema/choisir?suite={quote(next_page)}"
    response = see_other(target)
    set_cookie(response, request, SESSION_COOKIE, token, max_age=None)
    drop_cookie(response, request, LOGIN_COOKIE)
    if not trusted and device_cookie:
        drop_cookie(response, request, DEVICE_COOKIE)
    return response


@router.post("/schema")
async def pin_unlock(request: Request) -> Response:
    form = await request.form()
    next_page = safe_next(str(form.get("suite", "")))
    if not await _genuine_welcome_post(request):
        return see_other(HOME)
    return await run_in_threadpool(_pin_unlock, request, str(form.get("schema", "")), next_page)


def _pin_unlock(request: Request, pin: str, next_page: str) -> Response:
    web = web_of(request)
    now = web.now()
    token, message, name, status = "", "", "", 401
    with web.db.session() as session:
        device = device_of(session, request.cookies.get(DEVICE_COOKIE), now, web.settings)
        if device is None:
            return see_other(HOME)
        owner = session.get(User, device.user_id)
        assert owner is not None
        name = owner.display_name
        wait = seconds_blocked(session, device, now)
        if wait:
            message, status = blocked_message(wait), 429
        else:
            ok, blocked = unlock(session, device, pin, now)
            if ok:
                token = open_session(
                    session,
                    owner,
                    now,
                    web.settings,
                    method="pin",
                    client=client_label(request),
                    device_id=device.id,
                )
            elif blocked:
                message, status = blocked_message(blocked), 429
            else:
                message = "Schéma incorrect"
    if not token:
        return _welcome(
            request, "pin.html", status, title="Saisir schéma", name=name, message=message, suite=next_page
        )
    response = see_other(next_page)
    set_cookie(response, request, SESSION_COOKIE, token, max_age=None)
    set_cookie(
        response,
        request,
        DEVICE_COOKIE,
        request.cookies[DEVICE_COOKIE],
        max_age=web.settings.device_days * 86400,
    )
    drop_cookie(response, request, LOGIN_COOKIE)
    return response


@router.post("/schema/oublie")
async def pin_forgotten(request: Request) -> Response:
    """« Schéma oublié / Autre personne »: this browser is no longer trusted; the password is asked."""
    if await _genuine_welcome_post(request):
        web = web_of(request)

        def forget() -> None:
            with web.db.session() as session:
                forget_device(session, request.cookies.get(DEVICE_COOKIE))
                close_session(session, request.cookies.get(SESSION_COOKIE))

        await run_in_threadpool(forget)
    response = see_other(HOME)
    drop_cookie(response, request, DEVICE_COOKIE)
    drop_cookie(response, request, SESSION_COOKIE)
    return response


@router.get("/schema/choisir")
def pin_form(request: Request, visitor: Current, suite: str | None = None) -> Response:
    return page(
        request, visitor, "pin_choose.html", title="Choisir un schéma", suite=safe_next(suite), error=""
    )


@router.post("/schema/choisir")
def pin_choose(request: Request, post: Post) -> Response:
    next_page = safe_next(post.text("suite"))
    try:
        pin = check_pin(post.text("schema"), post.text("confirmation"))
    except Invalid as refusal:
        return page(
            request,
            post.visitor,
            "pin_choose.html",
            status=422,
            title="Choisir un schéma",
            suite=next_page,
            error=refusal.message,
        )
    web = web_of(request)
    with web.db.session() as session:
        token = trust_device(
            session, post.principal.id, pin, web.now(), client_label(request), post.visitor.session_id
        )
    response = done(next_page, "pin")
    set_cookie(response, request, DEVICE_COOKIE, token, max_age=web.settings.device_days * 86400)
    return response


@router.post("/deconnexion")
def logout(request: Request, post: Post) -> Response:
    web = web_of(request)
    with web.db.session() as session:
        close_session(session, request.cookies.get(SESSION_COOKIE))
    response = see_other(HOME)
    drop_cookie(response, request, SESSION_COOKIE)
    return response
