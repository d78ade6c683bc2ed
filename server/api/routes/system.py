"""Health (public) and the test clock (exists only with CENTRALE_TEST_CLOCK=1)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text

from server.api.context import app_state
from server.errors import Unavailable
from shared.schemas.system import ClockAdvance, ClockState, Health

router = APIRouter(tags=["system"])
test_clock_router = APIRouter(prefix="/test/clock", tags=["test"])


@router.get("/health", response_model=Health)
def health(request: Request) -> Health:
    state = app_state(request)
    try:
        with state.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        raise Unavailable("database_unavailable", "Base de données injoignable") from exc
    return Health(
        status="ok",
        database="postgresql" if state.db.kind == "postgresql" else "sqlite",
        version=state.version,
    )


@test_clock_router.get("", response_model=ClockState)
def read_clock(request: Request) -> ClockState:
    return ClockState(now=app_state(request).clock.now(), processed={})


@test_clock_router.post("/advance", response_model=ClockState)
def advance_clock(body: ClockAdvance, request: Request) -> ClockState:
    state = app_state(request)
    now = state.clock.advance(body.seconds)
    return ClockState(now=now, processed=state.due_work.run(now))
