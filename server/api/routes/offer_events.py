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
from sqlalchemy import and_, select, tuple_
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
class _Told:
    """The open offers this connection has told its responder of: (prescription, round) keys."""

    user_id: int
    open: set[tuple[int, int]] = field(default_factory=set)


def _read(state: AppState, told: _Told) -> list[dict[str, object]]:
    """Compare the responder's open offers now with those already told: new ones are sent, those
    no longer open are closed with their answer. Reading the current state each time (through
    the partial index of open notifications) cannot miss an offer committed out of order."""
    messages: list[dict[str, object]] = []
    with state.db.session() as session:
        rows = session.execute(
            select(Notification.usual, Prescription)
            .join(
                Prescription,
                and_(
                    Prescription.id == Notification.prescription_id, Prescription.round == Notification.round
                ),
            )
            .where(
                Notification.user_id == told.user_id,
                Notification.answer.is_(None),
                Prescription.state == PrescriptionState.PENDING.value,
            )
            .order_by(Notification.notified_at, Notification.prescription_id)
        ).all()
        now_open = {(p.id, p.round) for _, p in rows}
        for usual, prescription in rows:
            if (prescription.id, prescription.round) not in told.open:
                messages.append({**offer_payload(prescription), "usual": usual})
        closed = told.open - now_open
        if closed:
            answers = session.execute(
                select(Notification.prescription_id, Notification.round, Notification.answer).where(
                    Notification.user_id == told.user_id,
                    tuple_(Notification.prescription_id, Notification.round).in_(sorted(closed)),
                )
            )
            for prescription_id, round_, answer in sorted(answers):
                messages.append(
                    {
                        "type": "offer_closed",
                        "prescription_id": prescription_id,
                        "round": round_,
                        # None: still unanswered but no longer pending (closed by the engine).
                        "answer": answer or "closed",
                    }
                )
        told.open = now_open
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
    told = _Told(user_id=access.principal.id)
    with hub_of(websocket.app).subscribe(0) as wake:
        watcher = asyncio.create_task(watch_client(websocket, wake))
        try:
            while not wake.closed:
                for message in await anyio.to_thread.run_sync(_read, state, told):
                    await websocket.send_text(json.dumps(message))
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
