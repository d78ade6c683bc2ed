"""`/pro/events`: the page's live connection (Server-Sent Events; server/web/live.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from server.web.context import web_of
from server.web.guard import Current
from server.web.live import Fanout, stream
from server.web.sessions import still_open

router = APIRouter()


def fanout_of(request: Request) -> Fanout:
    fanout = request.app.state.fanout
    assert isinstance(fanout, Fanout)
    return fanout


@router.get("/events")
async def events(request: Request, visitor: Current, after: int | None = None) -> StreamingResponse:
    web = web_of(request)

    def valid() -> bool:
        with web.db.session() as session:
            return still_open(session, visitor.session_id, web.now(), web.settings)

    async def session_valid() -> bool:
        return await run_in_threadpool(valid)

    return StreamingResponse(
        stream(fanout_of(request), visitor.principal.id, after, session_valid),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
