"""`/me/offers/events`: the WebSocket through which a connected responder learns of offers at once.

Messages: `{"type": "offer", …}` when the responder is notified of a prescription (same fields as
the webhook: no identity — the offer itself is read through `GET /prescriptions/{id}`, where the
anonymity rule applies), and `{"type": "offer_closed", "prescription_id", "round", "answer"}` when
an offer they had not answered is no longer open (`taken`, `expired`, `cancelled`). On connection
the responder receives their open offers. The live hub (server/live/) only says when to look; what
is sent is read from the `notifications` table, the record of every offer.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import suppress
from dataclasses import dataclass, field

import anyio.to_thread
from fastapi import APIRouter
from sqlalchemy import select
from starlette.websockets import WebSocket, WebSocketDisconnect

from server.api.context import AppState
from server.api.routes.changes import CLOSE_UNAUTHENTICATED, Access, ws_token
from server.live import hub_of
from server.live.follower import watch_client
from server.models import Notification, Prescription
from server.services.dispatch import offer_payload
from shared.domain import PrescriptionState, Role

router = APIRouter(tags=["me"])


@dataclass
class _Cursor:
    """What this connection has told its responder so far."""

    user_id: int
    last_notification: int = 0
    open: dict[int, tuple[int, int]] = field(default_factory=dict)  # notification id → (prescription, round)


def _read(state: AppState, cursor: _Cursor, first: bool) -> list[dict[str, object]]:
    messages: list[dict[str, object]] = []
    with state.db.session() as session:
        query = (
            select(Notification, Prescription)
            .join(Prescription, Prescription.id == Notification.prescription_id)
            .where(Notification.user_id == cursor.user_id, Notification.id > cursor.last_notification)
            .order_by(Notification.id)
        )
        if first:  # on connection: only what is still open
            query = query.where(
                Notification.answer.is_(None),
                Notification.round == Prescription.round,
                Prescription.state == PrescriptionState.PENDING.value,
            )
        for notification, prescription in session.execute(query):
            cursor.last_notification = max(cursor.last_notification, notification.id)
            if notification.answer is None:
                cursor.open[notification.id] = (prescription.id, notification.round)
                messages.append({**offer_payload(prescription), "usual": notification.usual})
        if cursor.open:
            answered = session.execute(
                select(Notification.id, Notification.answer).where(
                    Notification.id.in_(list(cursor.open)), Notification.answer.is_not(None)
                )
            )
            for notification_id, answer in answered:
                prescription_id, round_ = cursor.open.pop(notification_id)
                messages.append(
                    {
                        "type": "offer_closed",
                        "prescription_id": prescription_id,
                        "round": round_,
                        "answer": answer,
                    }
                )
    return messages


@router.websocket("/me/offers/events")
async def offer_events(websocket: WebSocket) -> None:
    """Token in `Authorization: Bearer …` or `?token=…`; professionals only (4401 / 4403 otherwise)."""
    state = websocket.app.state.centrale
    assert isinstance(state, AppState)
    await websocket.accept()
    token = ws_token(websocket)
    if token is None:
        await websocket.close(CLOSE_UNAUTHENTICATED, "Authentification requise")
        return
    access = Access(websocket, state, token, roles=(Role.PROFESSIONAL,))
    refusal = await access.check()
    if refusal is not None or access.principal is None:
        await websocket.close(*(refusal or (CLOSE_UNAUTHENTICATED, "Authentification requise")))
        return
    cursor = _Cursor(user_id=access.principal.id)
    with hub_of(websocket.app).subscribe(0) as wake:
        watcher = asyncio.create_task(watch_client(websocket, wake))
        try:
            first = True
            while not wake.closed:
                for message in await anyio.to_thread.run_sync(_read, state, cursor, first):
                    await websocket.send_text(json.dumps(message))
                first = False
                refusal = await access.recheck()
                if refusal is not None:
                    await websocket.close(*refusal)
                    return
                await wake.wait()
        except WebSocketDisconnect:
            pass
        finally:
            watcher.cancel()
            with suppress(asyncio.CancelledError):
                await watcher
