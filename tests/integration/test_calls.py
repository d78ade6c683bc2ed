"""Call records: the softphone's call log reaches the server once per call, supervisors return
missed calls, and nobody reads another operator's calls."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from telephony.call_log import CallLog
from telephony.events import CallDirection, CallEnded, EndCause, IncomingCall
from tests.support.live import LiveServer, unique_phone

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def record(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": 1,
        "id": str(uuid.uuid4()),
        "direction": "incoming",
        "remote_number": "+33761717229",
        "remote_raw": "0761717229",
        "remote_display_name": "Claire Martin",
        "local_number": "hotline",
        "identification": "identified",
        "identified": [
            {"kind": "professional", "id": "pro-1", "display_name": "Claire Martin", "detail": "Infirmière"}
        ],
        "started_at": START.isoformat(),
        "answered_at": (START + timedelta(seconds=4)).isoformat(),
        "ended_at": (START + timedelta(seconds=50)).isoformat(),
        "outcome": "completed",
        "end_code": 200,
        "end_reason": "Normal call clearing",
        "duration_seconds": 46.0,
        "case_numbers": [],
        "sip_call_id": "abc@pbx",
    }
    return body | overrides


def missed(**overrides: Any) -> dict[str, Any]:
    return record(
        outcome="missed",
        answered_at=None,
        duration_seconds=0,
        end_code=487,
        end_reason="Request Terminated",
        remote_number=unique_phone(),
        **overrides,
    )


def test_a_record_sent_twice_is_one_call_updated(server: LiveServer) -> None:
    _, operator = server.user("operator")
    body = record()
    first = operator.post("/calls", json=body)
    assert first.status_code == 201, first.text
    assert first.json()["case_numbers"] == []
    again = operator.post("/calls", json=body | {"case_numbers": ["30000123"]})
    assert again.status_code == 200, again.text
    mine = [c for c in operator.get("/calls").json() if c["id"] == body["id"]]
    assert len(mine) == 1
    assert mine[0]["case_numbers"] == ["30000123"]
    assert mine[0]["identified"][0]["display_name"] == "Claire Martin"


def test_bad_records_are_refused_with_a_reason(server: LiveServer) -> None:
    _, operator = server.user("operator")
    assert operator.post("/calls", json=record(outcome="lost")).status_code == 422
    assert operator.post("/calls", json=record(id="not-a-uuid")).status_code == 422
    backwards = operator.post("/calls", json=record(ended_at=(START - timedelta(seconds=1)).isoformat()))
    assert backwards.status_code == 422
    assert "précède" in backwards.text
    assert (
        operator.post("/calls", json=record(started_at="2026-11-27T09:00:00")).status_code == 422
    )  # no zone


def test_operators_see_their_calls_and_supervisors_every_call(server: LiveServer) -> None:
    _, operator = server.user("operator")
    _, colleague = server.user("operator")
    _, supervisor = server.user("supervisor")
    body = missed()
    assert operator.post("/calls", json=body).status_code == 201
    assert body["id"] not in {c["id"] for c in colleague.get("/calls").json()}
    assert body["id"] in {c["id"] for c in supervisor.get("/calls", params={"limit": 500}).json()}
    # Another operator cannot overwrite it, nor take its callback.
    stolen = colleague.post("/calls", json=body | {"case_numbers": ["1"]})
    assert stolen.status_code == 403
    assert colleague.post(f"/calls/{body['id']}/callback", json={}).status_code == 404
    _, professional = server.professional()
    assert professional.get("/calls").status_code == 403
    assert professional.post("/calls", json=missed()).status_code == 403


def test_a_missed_call_is_returned_once(server: LiveServer) -> None:
    _, operator = server.user("operator")
    _, supervisor = server.user("supervisor")
    _, other_supervisor = server.user("supervisor")
    body = missed()
    answered = record()
    assert operator.post("/calls", json=body).status_code == 201
    assert operator.post("/calls", json=answered).status_code == 201
    waiting = {c["id"] for c in supervisor.get("/calls", params={"to_call_back": True, "limit": 500}).json()}
    assert body["id"] in waiting
    assert answered["id"] not in waiting

    taken = supervisor.post(f"/calls/{body['id']}/callback", json={"note": "Rappel par Sophie"})
    assert taken.status_code == 200, taken.text
    assert taken.json()["callback_by"] == "Supervisor de test"
    assert taken.json()["callback_note"] == "Rappel par Sophie"
    late = other_supervisor.post(f"/calls/{body['id']}/callback", json={})
    assert late.status_code == 409
    assert late.json()["code"] == "callback_taken"
    assert supervisor.post(f"/calls/{answered['id']}/callback", json={}).status_code == 409
    after = {c["id"] for c in supervisor.get("/calls", params={"to_call_back": True, "limit": 500}).json()}
    assert body["id"] not in after


class HttpSink:
    """What the desktop's sink does: POST the record, raise when it did not arrive."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url, self.token = base_url, token

    async def send(self, record: dict[str, Any]) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as client:
            answer = await client.post(
                "/calls", json=record, headers={"Authorization": f"Bearer {self.token}"}
            )
            answer.raise_for_status()


def test_the_softphone_call_log_reaches_the_server_once_even_when_it_was_down(
    server: LiveServer, tmp_path: Path
) -> None:
    _, operator = server.user("operator")
    token = operator.headers["Authorization"].split(" ", 1)[1]
    down = HttpSink("http://127.0.0.1:9", token)  # nothing listens there: the send fails
    caller = unique_phone()

    async def scenario() -> list[dict[str, Any]]:
        log = CallLog(tmp_path / "calls.sqlite3", down, local_number="hotline")
        log.on_event(
            IncomingCall(
                call_id=1, caller=caller, caller_raw=caller, display_name="Dr Martin", called="hotline",
                sip_call_id="x@pbx", received_at=START, waiting=False,
            )
        )  # fmt: skip
        log.on_event(
            CallEnded(
                call_id=1, direction=CallDirection.INCOMING, cause=EndCause.MISSED, code=487,
                reason="Request Terminated", duration_seconds=0.0, ended_at=START + timedelta(seconds=20),
            )
        )  # fmt: skip
        await asyncio.sleep(0.2)
        assert await log.flush() == 0  # the server was unreachable: kept
        assert len(log.unsent()) == 1
        log.sink = HttpSink(f"{server.process.base_url}/api/v1", token)
        assert await log.flush() == 1
        assert await log.flush() == 0  # sent once
        records = log.records()
        log.close()
        return records

    records = asyncio.run(scenario())
    stored = [c for c in operator.get("/calls").json() if c["id"] == records[0]["id"]]
    assert len(stored) == 1
    assert stored[0]["outcome"] == "missed"
    assert stored[0]["remote_number"] == caller
