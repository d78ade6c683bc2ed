"""Kamailio's and the queue holder's questions to the server (issue 19), through a real server process
on SQLite and PostgreSQL: whom to ring (never an operator in Pause, En appel, Post-appel, nor one
already offered a call), the queue in arrival order, unanswered calls, lost calls, the token."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import start_live
from tests.support.hotline import Hotline, ok
from tests.support.live import LiveServer


@pytest.fixture
def hotline(clock_server: LiveServer) -> Iterator[Hotline]:
    line = Hotline(clock_server)
    try:
        yield line
    finally:
        line.close()
        line.settings(strategy="longest_idle", wrap_up_seconds=30, unanswered_limit=3)


def call_id() -> str:
    return f"{uuid.uuid4()}@sipp"


def feed(client: Any, after: int, type_: str) -> list[dict[str, Any]]:
    events = ok(client.get("/changes", params={"after": after, "limit": 1000}))["events"]
    return [e["data"] for e in events if e["type"] == type_]


def test_the_token_guards_the_routes(clock_server: LiveServer) -> None:
    params = {"call_id": "x@y"}
    assert clock_server.client().get("/telephony/route", params=params).status_code == 401
    wrong = clock_server.telephony("not-the-token-at-all").get("/telephony/route", params=params)
    assert (wrong.status_code, wrong.json()["code"]) == (401, "telephony_token_refused")
    _, operator = clock_server.user("operator")  # a user's session is not the deployment's token
    assert operator.post("/telephony/queue/next").status_code == 401
    bad = clock_server.telephony().get("/telephony/route", params={"call_id": "x@y", "tried": "a b"})
    assert (bad.status_code, bad.json()["code"]) == (422, "tried_invalid")
    assert clock_server.telephony().get("/telephony/route").status_code == 422  # no call_id


def test_a_server_without_a_token_has_no_telephony_routes(tmp_path: Path) -> None:
    for live in start_live("sqlite", tmp_path, CENTRALE_TELEPHONY_TOKEN=""):
        answer = live.telephony().get("/telephony/route", params={"call_id": "x@y"})
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


def test_longest_idle_shares_calls_and_never_rings_a_paused_operator(hotline: Hotline) -> None:
    first, second = hotline.operator(), hotline.operator()
    paused = hotline.operator("pause")
    rung: Counter[str] = Counter()
    for _ in range(20):
        cid = call_id()
        answer = hotline.route(cid)
        assert answer["action"] == "ring"
        (target,) = answer["targets"]
        assert target != paused.sip_user
        rung[target] += 1
        hotline.event(cid, "answered", target)
        operator = next(o for o in (first, second) if o.sip_user == target)
        assert hotline.agents()[operator.id]["state"] == "in_call"
        hotline.event(cid, "ended", target)
        assert hotline.agents()[operator.id]["state"] == "after_call"
        operator.set("available")  # « Prêt » before the wrap-up's delay
    assert rung == {first.sip_user: 10, second.sip_user: 10}  # the longest idle each time: turn by turn


def test_ring_all_rings_every_free_operator_and_never_offers_two_calls_at_once(hotline: Hotline) -> None:
    hotline.settings(strategy="ring_all")
    first, second = hotline.operator(), hotline.operator()
    hotline.operator("pause")
    one, two, three = call_id(), call_id(), call_id()
    assert set(hotline.route(one)["targets"]) == {first.sip_user, second.sip_user}
    assert hotline.route(two) == {"action": "queue", "targets": [], "ring_seconds": 15}  # both offered
    hotline.event(two, "lost")
    hotline.event(one, "answered", second.sip_user)  # the other is free again
    assert hotline.route(three)["targets"] == [first.sip_user]
    text = hotline.telephony.get("/telephony/route", params={"call_id": call_id(), "format": "text"})
    assert (text.text, text.headers["content-type"].split(";")[0]) == ("queue", "text/plain")
    hotline.event(three, "unanswered", first.sip_user)  # rang out: free, one unanswered call
    again = hotline.telephony.get(
        "/telephony/route", params={"call_id": three, "tried": first.sip_user, "format": "text"}
    )
    assert again.text == "queue"  # the only free operator was tried already
    assert hotline.agents()[first.id]["unanswered_in_row"] == 1


def test_the_text_answer_gives_the_ring_time_first_then_the_sip_users(hotline: Hotline) -> None:
    """Kamailio reads « ring <seconds> <user>… »: the time is the platform's setting, and always
    first, so an extension made of digits is never taken for it."""
    operator = hotline.operator()
    text = hotline.telephony.get("/telephony/route", params={"call_id": call_id(), "format": "text"})
    assert text.text == f"ring 15 {operator.sip_user}"


def test_an_offer_that_got_no_answer_frees_the_operator_when_its_time_is_up(hotline: Hotline) -> None:
    operator = hotline.operator()
    assert hotline.route(call_id())["targets"] == [operator.sip_user]
    assert hotline.route(call_id())["action"] == "queue"
    hotline.server.advance(15 + 6)  # ring_seconds + the slack, and no event came
    assert hotline.route(call_id())["targets"] == [operator.sip_user]


def test_too_many_unanswered_calls_pause_the_operator(hotline: Hotline) -> None:
    operator = hotline.operator()
    start = ok(operator.client.get("/changes/head"))["last_seq"]
    for _ in range(3):
        cid = call_id()
        assert hotline.route(cid)["targets"] == [operator.sip_user]
        hotline.event(cid, "unanswered", operator.sip_user)
        hotline.event(cid, "unanswered", operator.sip_user)  # told twice: counted once
        hotline.event(cid, "lost")
    seen = hotline.agents()[operator.id]
    assert (seen["state"], seen["pause_reason"], seen["pause_label"]) == (
        "pause",
        "unanswered",
        "Appels non répondus",
    )
    assert seen["unanswered_in_row"] == 3
    assert {
        "user_id": operator.id,
        "state": "pause",
        "pause_reason": "unanswered",
        "automatic": "unanswered",
    } in feed(operator.client, start, "agent_state_changed")
    assert hotline.route(call_id())["action"] == "queue"  # no longer rung
    assert operator.set("pause", pause_reason="unanswered")["state"] == "pause"  # said again: accepted
    assert operator.set("available")["unanswered_in_row"] == 0  # back by choice: the count restarts


def test_the_queue_serves_callers_in_arrival_order(hotline: Hotline) -> None:
    busy = hotline.operator()
    busy.set("in_call", call_id="earlier@pbx", caller="Dr Avant")
    start = ok(busy.client.get("/changes/head"))["last_seq"]
    callers = [call_id() for _ in range(3)]
    for n, cid in enumerate(callers):
        assert hotline.route(cid, caller=f"+3361000000{n}")["action"] == "queue"
        hotline.event(cid, "queued", caller_number=f"+3361000000{n}")
    queue = ok(busy.client.get("/hotline/queue"))
    assert [e["call_id"] for e in queue["waiting"]] == callers
    assert {e["state"] for e in queue["waiting"]} == {"waiting"}
    assert (queue["available_operators"], queue["estimated_wait_seconds"]) == (0, None)
    assert hotline.next_offer() is None  # nobody free
    hotline.server.advance(30)
    assert ok(busy.client.get("/hotline/queue"))["longest_wait_seconds"] >= 30
    late = hotline.operator()  # becomes available while three wait: offered the oldest
    assert hotline.route(call_id())["action"] == "queue"  # a new call does not jump the queue
    offer = hotline.next_offer()
    assert offer is not None
    assert (offer["call_id"], offer["target"], offer["caller_number"]) == (
        callers[0],
        late.sip_user,
        "+33610000000",
    )
    assert hotline.next_offer() is None  # the only free operator is reserved
    hotline.event(callers[0], "unanswered", late.sip_user)  # rang out: back to the head
    offer = hotline.next_offer()
    assert offer is not None
    assert offer["call_id"] == callers[0]
    assert ok(busy.client.get("/hotline/queue"))["waiting"][0]["state"] == "offered"
    hotline.event(callers[0], "answered", late.sip_user)
    assert hotline.agents()[late.id]["state"] == "in_call"
    busy.set("available")
    offer = hotline.next_offer()
    assert offer is not None
    assert (offer["call_id"], offer["target"]) == (callers[1], busy.sip_user)
    queue = ok(busy.client.get("/hotline/queue"))
    assert [e["call_id"] for e in queue["waiting"]] == callers[1:]
    assert queue["estimated_wait_seconds"] >= 30  # the first caller's wait
    states = [e["state"] for e in feed(busy.client, start, "hotline_queue_changed")]
    assert states == ["waiting"] * 3 + ["offered", "waiting", "offered", "answered", "offered"]


def test_a_caller_who_hangs_up_waiting_is_a_missed_call_to_return(hotline: Hotline) -> None:
    busy = hotline.operator("pause")
    cid = call_id()
    number = "+33699887766"
    # Kamailio sends From's user part, national here: kept in E.164 like the desktops' records.
    assert hotline.route(cid, caller="0699887766")["action"] == "queue"
    hotline.event(cid, "queued", caller_number="06 99 88 77 66", caller_name="Dr Attente")
    hotline.server.advance(42)
    hotline.event(cid, "lost")
    hotline.event(cid, "lost")  # told twice: one record
    _, supervisor = hotline.server.user("supervisor")
    missed = [
        c for c in ok(supervisor.get("/calls", params={"to_call_back": True})) if c["remote_number"] == number
    ]
    assert len(missed) == 1
    record = missed[0]
    assert (record["operator_id"], record["operator_name"], record["outcome"]) == (
        None,
        "File d'attente",
        "missed",
    )
    assert record["queue_wait_seconds"] == pytest.approx(42, abs=2)
    assert record["remote_display_name"] == "Dr Test"  # as Kamailio named the caller first
    assert record["id"] in {c["id"] for c in ok(busy.client.get("/calls", params={"to_call_back": True}))}
    _, secretary = hotline.server.user("secretary")
    assert record["id"] not in {c["id"] for c in ok(secretary.get("/calls"))}
    taken = ok(busy.client.post(f"/calls/{record['id']}/callback", json={"note": "Rappelé"}))
    assert taken["callback_by"] == busy.user["display_name"]
    assert ok(busy.client.get("/hotline/queue"))["waiting"] == []


def test_a_desktop_missed_record_of_a_hotline_call_is_not_returned_twice(hotline: Hotline) -> None:
    operator = hotline.operator()
    cid = call_id()
    assert hotline.route(cid)["targets"] == [operator.sip_user]
    desktop_record = {
        "version": 1,
        "id": str(uuid.uuid4()),
        "direction": "incoming",
        "remote_number": "+33611223344",
        "started_at": "2026-11-27T09:00:00+00:00",
        "ended_at": "2026-11-27T09:00:15+00:00",
        "outcome": "missed",
        "duration_seconds": 0,
        "sip_call_id": cid,
    }
    ok(operator.client.post("/calls", json=desktop_record), 201)
    hotline.event(cid, "unanswered", operator.sip_user)
    hotline.event(cid, "lost")
    to_return = ok(operator.client.get("/calls", params={"to_call_back": True}))
    ids = {c["id"] for c in to_return}
    assert desktop_record["id"] not in ids  # the hotline's record of the call is the one to return
    assert any(c["remote_number"] == "+33612345678" and c["operator_id"] is None for c in to_return)


def test_the_end_of_a_call_starts_the_wrap_up_which_ends_by_itself(hotline: Hotline) -> None:
    operator = hotline.operator()
    cid = call_id()
    hotline.route(cid)
    hotline.event(cid, "answered", operator.sip_user)
    operator.set("in_call", call_id="the-desktop-leg@pbx", caller="Dr Test")  # the desktop says it too
    hotline.event(cid, "ended", operator.sip_user)
    assert hotline.agents()[operator.id]["state"] == "after_call"
    hotline.server.advance(31)  # wrap_up_seconds: 30
    seen = hotline.agents()[operator.id]
    assert seen["state"] == "available"
    hotline.settings(wrap_up_seconds=0)
    cid = call_id()
    hotline.route(cid)
    hotline.event(cid, "answered", operator.sip_user)
    hotline.event(cid, "ended")
    assert hotline.agents()[operator.id]["state"] == "available"  # no wrap-up: straight back
