"""The central server's FastAPI application."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, FastAPI

from server.api.body_limit import BodyLimit, PathLimit
from server.api.context import AppState
from server.api.errors import install_error_handlers
from server.api.input_bounds import InputBounds
from server.api.json_depth import JsonDepth
from server.api.openapi import install_openapi
from server.api.refusal_counting import RefusalCounting
from server.api.routes import (
    admin,
    agents,
    auth,
    calls,
    cases,
    changes,
    directory,
    exchanges,
    geo,
    incidents,
    insi,
    me,
    messaging,
    offer_events,
    patients,
    prescriptions,
    professionals,
    push,
    registration_review,
    registrations,
    stats,
    system,
    telephony,
)
from server.clock import Clock, DueWork
from server.db import Database
from server.live import Hub, hub_of
from server.live.presence import Presence, presence_of
from server.notify.webhooks import deliver_due, http_sender
from server.notify.wiring import Notifier
from server.scheduler import Scheduler
from server.security.refusal_counts import RefusalCounts, RefusalFlusher, flush_interval
from server.services import agent_presence, messaging_retention
from server.services.dispatch import process_due
from server.settings import Settings
from server.web.app import MESSAGE_UPLOAD_PATH, UPLOAD_PATH, mount_web
from server.web.pages.enrolment import ENROLMENT_UPLOAD_PATH

API_PREFIX = "/api/v1"


def server_version() -> str:
    try:
        return version("centrale")
    except PackageNotFoundError:
        return "0.0.0+local"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    state: AppState = app.state.centrale
    scheduler = Scheduler(state.clock, state.due_work, state.settings.scheduler_interval)
    if state.settings.scheduler_interval > 0:
        scheduler.start()
    await hub_of(app).start()
    await presence_of(app).start()  # the operators' desktops connected here (server/live/presence.py)
    notifier: Notifier = app.state.notifier
    notifier.start(hub_of(app))  # woken by every process's commits too (server/notify/wiring.py)
    # 401 and 429 answers: one aggregated audit entry per source and interval (issue 17).
    refusals = RefusalFlusher(app.state.refusal_counts, state.db, flush_interval(dict(os.environ)))
    refusals.start()
    try:
        yield
    finally:
        await presence_of(app).stop()
        await hub_of(app).stop()
        notifier.stop()
        refusals.stop()
        scheduler.stop()
        state.db.dispose()


def routers(settings: Settings) -> list[APIRouter]:
    """Every router of the API, in order; the test clock only when the setting asks for it."""
    found = [
        system.router,
        auth.router,
        admin.router,
        admin.networks_router,
        patients.router,
        insi.router,
        cases.router,
        prescriptions.router,
        professionals.router,
        changes.router,
        exchanges.router,
        incidents.router,
        me.router,
        calls.router,
        stats.router,
        directory.router,
        geo.router,
        push.router,
        registrations.router,
        registration_review.router,
        agents.router,
        telephony.router,
        messaging.router,
    ]
    return [*found, system.test_clock_router] if settings.test_clock else found


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(
        lifespan=_lifespan,
        title="Centrale — serveur central",
        version=server_version(),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.centrale = AppState(
        settings=settings,
        db=Database(settings.database_url),
        clock=Clock(),
        due_work=DueWork(),
        version=server_version(),
    )
    state = app.state.centrale
    state.due_work.register("dispatch_timers", partial(process_due, state.db))
    # The hotline: wrap-ups that end by themselves, operators whose desktop vanished (issue 19).
    state.due_work.register("hotline", partial(agent_presence.due, state.db))
    # Messaging: threads past the retention archived (issue 20).
    state.due_work.register("messaging_retention", partial(messaging_retention.archive_due, state.db))
    state.due_work.register("webhooks", partial(deliver_due, state.db, send=http_sender(settings.webhooks)))
    # Push, SMS, e-mail, MSSanté: planned from the feed and sent right after commit (server/notify/).
    app.state.notifier = Notifier.build(
        state.db, state.clock, state.due_work, settings.notify, settings.scheduler_interval
    )
    install_error_handlers(app)
    install_openapi(app, API_PREFIX)  # ErrorBody and every status a route answers (server/api/openapi.py)
    for router in routers(settings):
        app.include_router(router, prefix=API_PREFIX)
    # Wakes the WebSocket followers (server/live/).
    app.state.live_hub = Hub(state.db, poll_interval=settings.live_poll_seconds)
    app.state.presence = Presence(state.db, state.clock)
    app.include_router(changes.events_router, prefix=API_PREFIX)  # WebSocket: not in routers()
    app.include_router(offer_events.router, prefix=API_PREFIX)  # WebSocket for connected responders
    mount_web(app, state, app.state.live_hub)  # the professionals' web app, /pro/ (server/web/)
    api_upload = exchanges.upload_limit(API_PREFIX)
    web_upload = PathLimit("POST", UPLOAD_PATH, api_upload.max_bytes, api_upload.code, api_upload.detail)
    enrolment_form = PathLimit(
        "POST", ENROLMENT_UPLOAD_PATH, api_upload.max_bytes, api_upload.code, api_upload.detail
    )
    enrolment_uploads = [*registrations.upload_limits(API_PREFIX), enrolment_form]
    message_uploads = messaging.upload_limits(API_PREFIX)
    message_form = message_uploads[-1]  # the web's message form: the API's limit for a message
    web_message = PathLimit(
        "POST", MESSAGE_UPLOAD_PATH, message_form.max_bytes, message_form.code, message_form.detail
    )
    app.add_middleware(JsonDepth, prefix=API_PREFIX)  # deep nesting: 400 json_invalid before parsing
    app.add_middleware(InputBounds, prefix=API_PREFIX)  # no id or offset beyond 64 bits, no NUL
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        path_limits=[
            api_upload,
            web_upload,
            *enrolment_uploads,
            *message_uploads,
            web_message,
        ],
    )
    app.state.refusal_counts = RefusalCounts()
    app.add_middleware(RefusalCounting, counts=app.state.refusal_counts, clock=state.clock)  # outermost
    return app
