"""Screenshot of the live board (called by scripts/screenshots.py once the tutorial's case is sent on
the demo server): a few more cases for the tutorial's patient, one cancelled, the demo's simulated
responders answering some of them, two declining one by phone (« 2 refus »), then « Tableau de bord »."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

MORE_CASES = (
    ("70", "Kiné respiratoire", "visit", 240, "Kiné respiratoire, encombrement bronchique"),
    ("21", "Livraison de médicaments", "visit", 60, "Livraison du traitement, patiente seule"),
    ("60", "Prise de sang", "visit", 30, "Bilan sanguin à jeun demain matin"),
    ("10", "Visite", "visit", 120, "Fièvre depuis trois jours, médecin traitant absent"),
)


async def shoot_board(
    main: Any,
    save: Callable[[Any, str], Awaitable[None]],
    wait_for: Callable[[Callable[[], Any]], Awaitable[Any]],
    patient_id: int,
) -> None:
    client = main.session.client
    sent: list[int] = []
    for code, care, mode, delay, comment in MORE_CASES:
        body = {
            "caller": {"name": main.session.user.display_name, "service": "Plateforme Centrale"},
            "requester": {"user_id": main.session.user.id},
            "patient_id": patient_id,
            "prescriptions": [
                {
                    "profession_code": code,
                    "care_type": care,
                    "care_mode": mode,
                    "intervention_delay_minutes": 120,
                    "response_delay_minutes": delay,
                    "comment": comment,
                }
            ],
        }
        created, _replayed = await client.create_case(body, str(uuid.uuid4()))
        sent.append(created.prescriptions[0].id)
    await client.request("POST", f"/prescriptions/{sent[1]}/cancel", json={"reason": "Famille disponible"})
    await decline_by_phone(client, [pid for pid in sent if pid != sent[1]], 2)  # « 2 refus » on a row
    board = main.board
    main.tabs.setCurrentWidget(board)
    main.resize(1600, 1000)
    await wait_for(lambda: all(board.model.source_row(pid) is not None for pid in sent))
    await asyncio.sleep(30)  # the simulated responders answer after 5–60 s
    await save(main, "10_tableau_de_bord")
    main.tabs.setCurrentIndex(0)
    main.resize(980, 640)


async def decline_by_phone(client: Any, prescriptions: list[int], count: int) -> None:
    """`count` professionals a request was offered to phone in to decline it (recorded by the
    operator): the first of `prescriptions` offered to someone (a usual professional's decline
    opens the pool, whose professionals are then offered it too)."""
    for prescription_id in prescriptions:
        for _ in range(count):
            response = await client.request("GET", f"/prescriptions/{prescription_id}/notifications")
            waiting = [n["user_id"] for n in response.json() if n["answer"] is None]
            if not waiting:
                break
            body = {"on_behalf_of": waiting[0], "channel": "phone"}
            await client.request("POST", f"/prescriptions/{prescription_id}/decline", json=body)
        else:
            return
