"""The central server's FastAPI application."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, FastAPI

from server.api.body_limit import BodyLimit
from server.api.context import AppState
from server.api.errors import install_error_handlers
from server.api.routes import admin, auth, patients, system
from server.clock import Clock, DueWork
from server.db import Database
from server.settings import Settings

API_PREFIX = "/api/v1"


def server_version() -> str:
    try:
        return version("centrale")
    except PackageNotFoundError:
        return "0.0.0+local"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(
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
    install_error_handlers(app)
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(system.router)
    api.include_router(auth.router)
    api.include_router(admin.router)
    api.include_router(admin.networks_router)
    api.include_router(patients.router)
    if settings.test_clock:
        api.include_router(system.test_clock_router)
    app.include_router(api)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
