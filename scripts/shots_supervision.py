"""Screenshots of the supervisor's view (« Statistiques », « Mode mur d'écran », « Appels »), called
by scripts/screenshots.py on the demo server. A day of activity is made first through the API:
cases sent by « operateur » for demo patients of both networks (the demo's simulated responders
accept some: up to ANSWER_WAIT s), one cancelled, calls of the day in the call log, an incident."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.support.live import rpps_with_key

# server/demo_data.py's patients, and a second request for some of them.
PATIENTS = (
    "Picasso", "Michaux", "Santoni", "Casanova", "N'Diaye", "Le Goff", "Dupont-Lajoie", "Albertini",
    "Picasso", "Santoni", "Michaux",
)  # fmt: skip
PRESCRIPTIONS = (
    ("60", "Pansement", "Pansement d'ulcère de jambe, tous les matins"),
    ("70", "Rééducation", "Rééducation à la marche après une chute"),
    ("60", "Injection", "Injection d'anticoagulant, une fois par jour"),
)
CALLS = (  # minutes ago, outcome, seconds
    (15, "completed", 184),
    (40, "missed", 0),
    (70, "completed", 95),
    (100, "completed", 260),
    (130, "rejected", 0),
    (170, "completed", 130),
    (210, "completed", 75),
    (260, "missed", 0),
    (320, "completed", 310),
)
ANSWER_WAIT = 90.0
PRO_PASSWORD = "professionnel-demo"  # noqa: S105 - the published demo password


async def _client(url: str, username: str, password: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=f"{url}/api/v1", timeout=30)
    login = await client.post("/auth/login", json={"username": username, "password": password})
    login.raise_for_status()
    client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    return client


async def make_activity(url: str) -> None:
    operator = await _client(url, "operateur", "operateur-demo")
    networks = {n["name"]: n["id"] for n in (await operator.get("/networks")).json()}
    sent: list[int] = []
    numbers: list[str] = []
    for index, name in enumerate(PATIENTS):
        found = (await operator.get("/patients", params={"last_name": name})).json()["items"]
        if not found:
            continue
        patient = found[0]
        corsica = patient["postal_code"].startswith("20")
        network = networks["CPTS Démo Corse" if corsica else "CPTS Démo Essonne"]
        code, care, comment = PRESCRIPTIONS[index % len(PRESCRIPTIONS)]
        body = {
            "caller": {"name": "Cabinet du Dr Prescripteur", "phone": "01 99 00 12 34"},
            "requester": {"rpps": rpps_with_key(4242), "name": "Dr Prescripteur"},
            "patient_id": patient["id"],
            "prescriptions": [
                {
                    "profession_code": code, "care_type": care, "care_mode": "visit",
                    "network_id": network, "intervention_delay_minutes": 240, "days": 1,
                    "visits_per_day": 1, "response_delay_minutes": 120, "comment": comment,
                }
            ],
        }  # fmt: skip
        response = await operator.post("/cases", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
        if response.status_code == 201:
            sent += [p["id"] for p in response.json()["prescriptions"]]
            numbers.append(response.json()["number"])
    pro = await _client(url, "pro01", PRO_PASSWORD)
    text = "Patient absent au domicile à l'heure convenue, voisins prévenus"
    await pro.post("/incidents", json={"text": text})
    await pro.aclose()
    supervisor = await _client(url, "superviseur", "superviseur-demo")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ANSWER_WAIT
    while loop.time() < deadline:  # the demo's simulated responders answer in 5 to 60 s
        acceptance = (await supervisor.get("/stats")).json()["acceptance"]
        if acceptance["accepted"] >= min(4, len(sent)):
            break
        await asyncio.sleep(2)
    await supervisor.aclose()
    pending = [p["id"] for p in (await operator.get("/prescriptions", params={"state": "pending"})).json()]
    if pending:
        await operator.post(f"/prescriptions/{pending[0]}/cancel", json={"reason": "Patient hospitalisé"})
    now = datetime.now(UTC)
    for index, (minutes, outcome, seconds) in enumerate(CALLS):
        started = now - timedelta(minutes=minutes)
        record = {
            "id": str(uuid.uuid4()), "direction": "incoming",
            "remote_number": f"+331990012{index:02d}", "local_number": "centrale",
            "identification": "unknown", "started_at": started.isoformat(),
            "answered_at": started.isoformat() if seconds else None,
            "ended_at": (started + timedelta(seconds=seconds or 30)).isoformat(),
            "outcome": outcome, "duration_seconds": seconds,
            "case_numbers": [numbers[index]] if outcome == "completed" and index < len(numbers) else [],
        }  # fmt: skip
        await operator.post("/calls", json=record)
    await operator.aclose()


async def shoot_supervision(
    url: str,
    save: Callable[[Any, str], Awaitable[None]],
    wait_for: Callable[[Callable[[], Any]], Coroutine[Any, Any, Any]],
    directory: Path,
) -> None:
    from keyring.backends import null

    from desktop.services.session import Session
    from desktop.settings import SecretStore, Settings
    from desktop.sync.client import ApiClient
    from desktop.ui.main_window import MainWindow

    await make_activity(url)
    client = ApiClient(url)
    login = await client.login("superviseur", "superviseur-demo")
    session = Session(client, login.user, directory=directory / "superviseur")
    settings = Settings(server_url=url, username="superviseur")
    main = MainWindow(session, settings, SecretStore(null.Keyring()))  # type: ignore[no-untyped-call]
    main.resize(1280, 1150)
    main.show()
    session.start()
    supervision = main.supervision
    assert supervision is not None
    assert supervision.statistics is not None
    assert supervision.wallboard is not None
    view = supervision.statistics
    await view.refresh()
    await wait_for(lambda: view.data is not None and view.data.sent > 0)
    main.tabs.setCurrentWidget(view)
    await save(main, "40_statistiques")
    wall = supervision.wallboard
    wall.resize(1600, 900)
    wall.show()
    await wall.refresh()
    await save(wall, "41_mur_d_ecran")
    wall.close()
    calls = main.calls_view
    if calls is not None:
        await calls.refresh()
        main.tabs.setCurrentWidget(calls)
        main.resize(1280, 760)
        await save(main, "42_appels")
    main.close()
    await session.stop()
