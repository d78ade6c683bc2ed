"""The outbox pusher's rules against a scripted server: order, back-off, failures, pause, duplicates."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from desktop.store import LocalStore, OutboxState
from desktop.sync.errors import UNREACHABLE, ServerUnavailable
from desktop.sync.outbox_pusher import LOGIN_REQUIRED, MAYBE_CREATED, OutboxPusher
from tests.support.desktop_server import FakeServer, case_answer, error, ok, patient_answer, unreachable

pytestmark = pytest.mark.anyio
CASE = {"caller": {"name": "X"}, "requester": {"user_id": 1}, "patient_id": 0, "prescriptions": [{}]}
NEW_PATIENT = {"last_name": "A", "acknowledge_duplicates": True}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_unreachable_server_backs_off_and_keeps_the_order() -> None:
    server, store, clock = FakeServer(), LocalStore(None), Clock()
    first = store.outbox.enqueue(CASE, patient_id=1)
    second = store.outbox.enqueue(CASE, patient_id=2)
    pusher = OutboxPusher(server.client(), store.outbox, backoff_start=2.0, backoff_max=5.0, now=clock)
    server.script("POST /cases", unreachable)
    report = await pusher.push()
    assert [i.id for i in report.waiting] == [first.id, second.id]  # the second was not even tried
    waiting = store.outbox.get(first.id)
    assert (waiting.attempts, waiting.reason, waiting.next_attempt_at) == (
        1,
        UNREACHABLE,
        clock.now + timedelta(seconds=2),
    )
    assert len(server.requests) == 1
    assert (await pusher.push()).waiting  # not due: nothing sent
    assert len(server.requests) == 1
    clock.now += timedelta(seconds=2)
    server.script("POST /cases", lambda r: error(503, "", "indisponible"))  # a failing server: retried too
    await pusher.push()
    assert store.outbox.get(first.id).next_attempt_at == clock.now + timedelta(seconds=4)
    assert [pusher.delay_for(n) for n in range(4)] == [2.0, 4.0, 5.0, 5.0]
    server.script("POST /cases", ok(case_answer("30000001"), 201), ok(case_answer("30000002"), 201))
    report = await pusher.push(force=True)
    assert [i.result["number"] for i in report.sent if i.result] == ["30000001", "30000002"]
    keys = [r.headers["Idempotency-Key"] for r in server.requests]
    assert keys[:3] == [first.idempotency_key] * 3  # every try of an item carries its own key
    assert keys[3] == second.idempotency_key
    assert [b["patient_id"] for b in server.bodies("POST /cases")] == [1, 1, 1, 2]


async def test_a_refused_item_fails_with_the_french_field_messages_and_the_next_goes() -> None:
    server, store = FakeServer(), LocalStore(None)
    bad = store.outbox.enqueue(CASE, patient_id=1)
    good = store.outbox.enqueue(CASE, patient_id=1)
    field_error = {
        "field": "prescriptions.0.comment",
        "message": "Le commentaire est obligatoire",
        "code": "comment_required",
    }
    server.script(
        "POST /cases",
        lambda r: error(422, "validation", "Données invalides", errors=[field_error]),
        ok(case_answer(), 201),
    )
    report = await OutboxPusher(server.client(), store.outbox).push()
    assert ([i.id for i in report.failed], [i.id for i in report.sent]) == ([bad.id], [good.id])
    failed = store.outbox.get(bad.id)
    assert failed.state is OutboxState.FAILED
    assert (
        failed.reason == "Données invalides\nDéclenchement 1 › Commentaire : Le commentaire est obligatoire"
    )


async def test_an_expired_session_pauses_and_resume_sends_with_the_new_token() -> None:
    server, store = FakeServer(), LocalStore(None)
    item = store.outbox.enqueue(CASE, patient_id=1)
    asked: list[str] = []
    pusher = OutboxPusher(server.client("old"), store.outbox, on_login_required=asked.append)
    server.script("POST /cases", lambda r: error(401, "token_expired", "Session expirée : reconnectez-vous"))
    report = await pusher.push()
    assert (report.paused, asked, store.outbox.get(item.id).state) == (
        True,
        [LOGIN_REQUIRED],
        OutboxState.PENDING,
    )
    pusher.resume("new")
    server.script("POST /cases", ok(case_answer(), 201))
    assert [i.id for i in (await pusher.push()).sent] == [item.id]
    assert [r.headers["Authorization"] for r in server.requests] == ["Bearer old", "Bearer new"]


async def test_parts_already_done_are_not_sent_again() -> None:
    server, store = FakeServer(), LocalStore(None)
    item = store.outbox.enqueue(
        CASE,
        patient_id=None,
        patient_create=NEW_PATIENT,
        usual_professionals=[{"profession_code": "10", "rpps": "10000000005"}],
    )
    server.script("POST /patients", ok(patient_answer(8), 201))
    server.script("PUT /patients/8/usual-professionals", ok([]))
    server.script("POST /cases", unreachable, ok(case_answer(), 201))
    pusher = OutboxPusher(server.client(), store.outbox)
    await pusher.push()
    assert store.outbox.get(item.id).patient_id == 8
    await pusher.push(force=True)
    routes = [f"{r.method} {r.url.path}" for r in server.requests]
    assert routes == [
        "POST /api/v1/patients",
        "PUT /api/v1/patients/8/usual-professionals",
        "POST /api/v1/cases",
        "POST /api/v1/cases",
    ]
    assert server.bodies("POST /cases")[-1]["patient_id"] == 8


async def test_a_lost_patient_creation_is_never_repeated_blindly() -> None:
    server, store = FakeServer(), LocalStore(None)
    item = store.outbox.enqueue(CASE, patient_id=None, patient_create=NEW_PATIENT)
    pusher = OutboxPusher(server.client(), store.outbox)
    duplicates = error(
        409,
        "possible_duplicates",
        "Ce patient ressemble à un patient déjà enregistré",
        duplicates=[{"id": 12, "reasons": ["phone"]}],
    )
    server.script("POST /patients", unreachable, lambda r: duplicates)
    await pusher.push()
    report = await pusher.push(force=True)
    # the first try may have reached the server: the look-alike check is kept on for the retry
    assert [b["acknowledge_duplicates"] for b in server.bodies("POST /patients")] == [True, False]
    [failed] = report.failed
    assert failed.reason == f"Ce patient ressemble à un patient déjà enregistré\n{MAYBE_CREATED}"
    # the operator recognises the patient created by the lost try
    store.outbox.use_existing_patient(item.id, 12)
    server.script("POST /cases", ok(case_answer(), 201))
    [sent] = (await pusher.push()).sent
    assert sent.patient_id == 12
    assert server.bodies("POST /cases")[-1]["patient_id"] == 12


async def test_the_operator_confirms_another_patient_from_the_outbox() -> None:
    server, store = FakeServer(), LocalStore(None)
    item = store.outbox.enqueue(
        CASE, patient_id=None, patient_create={"last_name": "A", "acknowledge_duplicates": False}
    )
    duplicates = error(409, "possible_duplicates", "Ce patient ressemble à un patient déjà enregistré")
    server.script("POST /patients", lambda r: duplicates, ok(patient_answer(30), 201))
    server.script("POST /cases", ok(case_answer(), 201))
    pusher = OutboxPusher(server.client(), store.outbox)
    [failed] = (await pusher.push()).failed
    assert failed.reason == "Ce patient ressemble à un patient déjà enregistré"  # first try: no lost creation
    store.outbox.acknowledge_duplicates(item.id)
    [sent] = (await pusher.push()).sent
    assert sent.patient_id == 30
    assert [b["acknowledge_duplicates"] for b in server.bodies("POST /patients")] == [False, True]


async def test_a_transport_error_is_reported_in_french() -> None:
    server = FakeServer()
    server.script("GET /health", unreachable)
    with pytest.raises(ServerUnavailable, match="Pas de connexion serveur") as caught:
        await server.client().health()
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


async def test_too_many_requests_is_retried_not_failed() -> None:
    server, store = FakeServer(), LocalStore(None)
    item = store.outbox.enqueue(CASE, patient_id=1)
    server.script(
        "POST /cases",
        lambda r: httpx.Response(
            429, json={"detail": "Trop de requêtes", "code": "throttled"}, headers={"Retry-After": "30"}
        ),
    )
    report = await OutboxPusher(server.client(), store.outbox).push()
    assert [i.id for i in report.waiting] == [item.id]
    assert store.outbox.get(item.id).reason == "Trop de requêtes : nouvel essai plus tard (dans 30 s)"


async def test_the_loop_survives_an_unexpected_answer_and_sends_on_wake() -> None:
    server, store = FakeServer(), LocalStore(None)
    item = store.outbox.enqueue(CASE, patient_id=1)
    server.script("POST /cases", ok({"unexpected": True}, 201), ok(case_answer(), 201))
    pusher = OutboxPusher(server.client(), store.outbox, backoff_max=0.05)
    task = asyncio.create_task(pusher.run())
    try:
        for _ in range(500):
            if store.outbox.get(item.id).state is OutboxState.SENT:
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
    assert store.outbox.get(item.id).state is OutboxState.SENT
    assert [r.headers["Idempotency-Key"] for r in server.requests] == [item.idempotency_key] * 2
