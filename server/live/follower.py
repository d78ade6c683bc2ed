"""One WebSocket follower of the change feed: the backlog after `after`, then live events.

Each event is sent exactly once and in seq order because the follower only ever sends what it
reads with `events_after(last_sent)`, and the feed makes events visible in seq order (see
server/services/feed.py). Wake-ups (server/live/hub.py) only say when to read again.

Keepalive: uvicorn's WebSocket protocol pings every client every 20 s and drops it when no pong
comes back within 20 s (its `ws_ping_interval` / `ws_ping_timeout` defaults), so dead peers are
noticed even on a quiet feed; the message stream itself stays pure events. A client that goes
away is noticed at once by the task that reads its (ignored) messages.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress

from sqlalchemy.exc import SQLAlchemyError
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected

from server.live.hub import Hub, Subscription

log = logging.getLogger("centrale.live")

READ_BATCH = 500
CLOSE_SERVER_RESTART = 1012

# A refusal closes the connection: (close code, French reason shown to the user).
Refusal = tuple[int, str]
AccessCheck = Callable[[], Awaitable[Refusal | None]]


async def follow(websocket: WebSocket, hub: Hub, after: int, still_allowed: AccessCheck) -> None:
    """Serve an accepted WebSocket until the client leaves, access ends or the server stops."""
    with hub.subscribe(after) as wake:
        watcher = asyncio.create_task(watch_client(websocket, wake))
        try:
            refusal = await _pump(websocket, hub, wake, after, still_allowed)
            if refusal is not None:
                await websocket.close(*refusal)
            elif wake.closed_by_server:
                await websocket.close(CLOSE_SERVER_RESTART, "Redémarrage du serveur : reconnectez-vous")
        except (WebSocketDisconnect, WebSocketDisconnected):
            log.debug("follower left while being sent events")
        finally:
            watcher.cancel()
            with suppress(asyncio.CancelledError):
                await watcher


async def _pump(
    websocket: WebSocket, hub: Hub, wake: Subscription, after: int, still_allowed: AccessCheck
) -> Refusal | None:
    last_sent = after
    failing = False
    ticket = hub.read_ticket()  # subscribed before: any later commit wakes this follower
    while not wake.closed:
        try:
            events = await hub.read_after(last_sent, READ_BATCH, newer_than=ticket)
        except SQLAlchemyError as exc:
            # Kept open: the next wake-up (at worst the hub's periodic one) tries again.
            if not failing:
                log.warning("change feed unreadable for a follower, retrying: %s", exc)
            failing = True
            events = []
        else:
            failing = False
        for event in events:
            if wake.closed:
                return None
            await websocket.send_text(event.model_dump_json())
            last_sent = wake.position = event.seq
        if len(events) == READ_BATCH:
            continue  # more backlog: read on without waiting
        refusal = await still_allowed()
        if refusal is not None:
            return refusal
        # Only a query started after this wake-up was issued may answer the next read.
        ticket = await wake.wait()
    return None


async def watch_client(websocket: WebSocket, wake: Subscription) -> None:
    """Read (and ignore) what the client sends; close the subscription when it disconnects."""
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
    except (WebSocketDisconnect, RuntimeError):  # RuntimeError: Starlette's WebSocketDisconnected
        pass
    wake.close(by_server=False)
