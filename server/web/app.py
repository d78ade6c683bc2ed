"""The professionals' web app as an application of its own, mounted at /pro by server/app.py.

Its own exception handlers (French pages, never the API's JSON errors), its own middleware
(security headers, gzip), the server's database, clock and live hub handed in (server.web never
imports the JSON API).
"""

from __future__ import annotations

import re

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware

from server.live import Hub
from server.web.context import PREFIX, CoreState, WebState
from server.web.errors import install_page_errors
from server.web.headers import PageHeaders
from server.web.live import Fanout
from server.web.pages import (
    access,
    care,
    channels,
    dashboard,
    demo_messages,
    enrolment,
    events,
    fragments,
    messaging,
    messaging_new,
    offers,
    password_reset,
    profile,
    push,
    record,
    requests,
    shell,
)
from server.web.settings import WebSettings

# Document uploads (JPG/PNG/PDF ≤ 2 Mio) may exceed the server's general body limit.
UPLOAD_PATH = re.compile(rf"{PREFIX}/soins/\d+/documents")
# A message with attachments (5 × 2 Mio at most).
MESSAGE_UPLOAD_PATH = re.compile(rf"{PREFIX}/messagerie/\d+/messages")


def create_web_app(core: CoreState, hub: Hub, settings: WebSettings | None = None) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, title="Centrale — professionnels")
    settings = settings or WebSettings.from_env()
    app.state.web = WebState(core, hub, settings)
    app.state.fanout = Fanout(hub)
    install_page_errors(app)
    for module in (shell, access, events, fragments, requests, dashboard, offers, care, record, profile):
        app.include_router(module.router)
    for messages in (messaging_new, messaging):  # « Messagerie » (issue 20)
        app.include_router(messages.router)
    for notifying in (channels, push, demo_messages):  # issue 16's channels, « Messages envoyés »
        app.include_router(notifying.router)
    for public in (enrolment, password_reset):  # « S'enregistrer », « Mot de passe oublié »
        app.include_router(public.router)
    app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=6)
    app.add_middleware(PageHeaders, tile_origin=settings.tile_origin)
    return app


def mount_web(app: Starlette, core: CoreState, hub: Hub) -> None:
    app.mount(PREFIX, create_web_app(core, hub))
