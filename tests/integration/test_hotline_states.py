"""Operators' states kept by the server (issue 19): the desktop sets them, the server checks them
against the transitions and the platform's settings, every change is one feed event, supervisors
see the live grid, logging out puts Hors ligne; the settings (admin) and the wrap-up's qualification."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.test_calls import record
from tests.support.hotline import Hotline, ok
from tests.support.live import LiveServer


@pytest.fixture
def hotline(server: LiveServer) -> Iterator[Hotline]:
    line = Hotline(server)
    try:
        yield line
    finally:
        line.close()


def feed_after(client: Any, after: int, type_: str) -> list[dict[str, Any]]:
    events = ok(client.get("/changes", params={"after": after, "limit": 1000}))["events"]
    return [e for e in events if e["type"] == type_]


def test_each_change_is_stored_shown_and_one_event(hotline: Hotline) -> None:
    operator = hotline.operator(state=None)
    start = ok(operator.client.get("/changes/head"))["last_seq"]
    mine = ok(operator.client.get("/agents/me"))
    assert (mine["state"], mine["sip_user"]) == ("offline", None)  # never set: Hors ligne
    seen = operator.set("available")
    assert (seen["state"], seen["sip_user"], seen["pause_reason"]) == ("available", operator.sip_user, None)
    operator.set("available")  # the same state again: nothing changes, no event
    paused = operator.set("pause", pause_reason="formation")
    assert (paused["pause_reason"], paused["pause_label"]) == ("formation", "Formation")
    operator.set("in_call", call_id="abc@pbx", caller="Dr Martin")
    operator.set("after_call")
    grid = hotline.agents()[operator.id]
    assert (grid["state"], grid["caller"], grid["name"]) == ("after_call", "", operator.user["display_name"])
    assert grid["idle_since"] is not None  # the call ended: the longest-idle order starts from it
    changes = feed_after(operator.client, start, "agent_state_changed")
    assert [e["data"] for e in changes] == [
        {"user_id": operator.id, "state": s, "pause_reason": r, "automatic": None}
        for s, r in [("available", None), ("pause", "formation"), ("in_call", None), ("after_call", None)]
    ]


def test_bad_transitions_and_reasons_are_refused_in_french(hotline: Hotline) -> None:
    operator = hotline.operator(state=None)
    refused = operator.state("after_call")
    assert refused.status_code == 422
    assert refused.json()["code"] == "agent_transition"
    assert refused.json()["detail"] == "Passage impossible de « Hors ligne » à « Post-appel »"
    assert operator.state("in_call").json()["code"] == "agent_transition"
    assert operator.state("pause").json()["detail"] == "Choisissez le motif de la pause"
    assert operator.state("pause", pause_reason="sieste").json()["code"] == "pause_reason_unknown"
    assert operator.state("pause", pause_reason="unanswered").json()["code"] == "pause_reason_reserved"
    assert operator.state("available", pause_reason="repas").json()["code"] == "pause_reason_unexpected"
    assert operator.state("busy").status_code == 422
    assert operator.state("available", sip_user="not a sip user!").status_code == 422
    assert ok(operator.client.get("/agents/me"))["state"] == "offline"  # nothing was stored


def test_who_may_hold_a_state_and_see_the_grid(server: LiveServer, hotline: Hotline) -> None:
    operator = hotline.operator()
    supervisor = hotline.operator(role="supervisor")  # supervisors answer the hotline's phone too
    for role in ("secretary", "professional"):
        _, client = server.user(role) if role != "professional" else server.professional()
        assert client.put("/agents/me/state", json={"state": "available"}).status_code == 403
    assert operator.client.get("/agents").status_code == 403
    grid = {a["user_id"]: a for a in ok(supervisor.client.get("/agents"))}  # the platform's supervisor
    assert {operator.id, supervisor.id} <= set(grid)
    assert grid[operator.id]["connected"] is False  # no feed connection from this test
    network = server.network()
    _, network_supervisor = server.user("supervisor", [network])
    in_network = server.user("operator", [network])
    ok(in_network[1].put("/agents/me/state", json={"state": "pause", "pause_reason": "repas"}))
    try:
        seen = {a["user_id"] for a in ok(network_supervisor.get("/agents"))}
        assert seen == {in_network[0]["id"]}  # a network's supervisor: the operators of the network
    finally:
        ok(in_network[1].put("/agents/me/state", json={"state": "offline"}))


def test_a_sip_account_belongs_to_one_connected_operator(hotline: Hotline) -> None:
    first, second = hotline.operator(), hotline.operator(state=None)
    taken = second.state("available", sip_user=first.sip_user)
    assert taken.status_code == 409
    assert taken.json()["code"] == "sip_user_taken"
    first.set("offline")
    assert second.set("available", sip_user=first.sip_user)["sip_user"] == first.sip_user
    assert hotline.agents()[first.id]["sip_user"] is None
    second.sip_user = first.sip_user


def test_logging_out_puts_the_operator_offline(hotline: Hotline) -> None:
    reader, operator = hotline.operator(state=None), hotline.operator()
    start = ok(reader.client.get("/changes/head"))["last_seq"]
    assert operator.client.post("/auth/logout").status_code == 204
    hotline.operators.remove(operator)  # its session is over
    grid = {a["user_id"]: a for a in ok(hotline.server.admin().get("/agents"))}
    assert grid[operator.id]["state"] == "offline"
    changes = [e["data"] for e in feed_after(reader.client, start, "agent_state_changed")]
    assert {
        "user_id": operator.id,
        "state": "offline",
        "pause_reason": None,
        "automatic": "signed_out",
    } in changes


def test_settings_are_read_by_staff_and_written_by_the_admin(server: LiveServer, hotline: Hotline) -> None:
    operator = hotline.operator(state=None)
    settings = ok(operator.client.get("/hotline/settings"))
    assert settings["strategy"] == "longest_idle"
    assert (settings["wrap_up_seconds"], settings["unanswered_limit"], settings["ring_seconds"]) == (
        30,
        3,
        15,
    )
    assert [c["code"] for c in settings["pause_reasons"]] == [
        "repas", "formation", "administratif", "autre", "unanswered"
    ]  # fmt: skip
    assert {c["label"] for c in settings["qualifications"]} >= {"Déclenchement créé", "Rappel prévu"}
    assert operator.client.put("/hotline/settings", json=settings).status_code == 403
    admin = server.admin()
    try:
        changed = settings | {"pause_reasons": [{"code": "reunion", "label": "Réunion"}], "ring_seconds": 20}
        saved = ok(admin.put("/hotline/settings", json=changed))
        assert [c["code"] for c in saved["pause_reasons"]] == ["reunion", "unanswered"]  # always kept
        assert operator.set("pause", pause_reason="reunion")["pause_label"] == "Réunion"
        assert operator.state("pause", pause_reason="repas").json()["code"] == "pause_reason_unknown"
        twice = settings | {"qualifications": [{"code": "a", "label": "A"}, {"code": "a", "label": "B"}]}
        assert admin.put("/hotline/settings", json=twice).json()["code"] == "code_duplicate"
        assert admin.put("/hotline/settings", json=settings | {"strategy": "random"}).status_code == 422
        audit = ok(admin.get("/admin/audit", params={"action": "hotline_settings_write", "order": "desc"}))
        assert audit[0]["detail"]["settings"]["ring_seconds"] == 20
    finally:
        ok(admin.put("/hotline/settings", json=settings))


def test_the_wrap_up_qualification_is_stored_on_my_call(server: LiveServer) -> None:
    _, operator = server.user("operator")
    _, other = server.user("operator")
    body = record(id=str(uuid.uuid4()))
    ok(operator.post("/calls", json=body), 201)
    seen = ok(operator.put(f"/calls/{body['id']}/qualification", json={"code": "rappel_prevu"}))
    assert seen["qualification"] == "rappel_prevu"
    unknown = operator.put(f"/calls/{body['id']}/qualification", json={"code": "inconnu"})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "qualification_unknown")
    assert other.put(f"/calls/{body['id']}/qualification", json={"code": "autre"}).status_code == 403
    assert operator.put(f"/calls/{uuid.uuid4()}/qualification", json={"code": "autre"}).status_code == 404
    listed = [c for c in ok(operator.get("/calls")) if c["id"] == body["id"]]
    assert listed[0]["qualification"] == "rappel_prevu"
    ok(operator.post("/calls", json=body | {"case_numbers": ["30000123"]}))  # the record sent again
    again = next(c for c in ok(operator.get("/calls")) if c["id"] == body["id"])
    assert again["qualification"] == "rappel_prevu"
    audit = ok(server.admin().get("/admin/audit", params={"action": "call_qualification", "order": "desc"}))
    assert body["id"] in {e["detail"]["call_id"] for e in audit}
