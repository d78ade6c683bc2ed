"""The hotline's figures (issue 19, item 6) on a known sequence of calls: received, answered, lost,
service level, waits, talk, per hour (Europe/Paris), per operator with wrap-up and pause time by
reason, qualifications; and the CSV export. Through a real server process, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.hotline import Hotline, Operator, ok
from tests.support.live import LiveServer

PARIS = ZoneInfo("Europe/Paris")
# (arrival, answered after, talk, who: "a"/"b"; None: lost after `answered after` seconds)
SEQUENCE: list[tuple[int, int, int | None, str | None]] = [
    (0, 10, 120, "a"),
    (60, 25, 60, "b"),
    (120, 50, None, None),  # waited 50 s in the queue and hung up
    (3600, 5, 300, "a"),
    (3700, 70, 20, "b"),
    (3800, 15, None, None),  # hung up while the operators rang
]


@pytest.fixture(scope="module")
def played(clock_server: LiveServer) -> Iterator[dict[str, Any]]:
    """The sequence told as Kamailio would, two hours back; pauses and wrap-ups now."""
    line = Hotline(clock_server)
    try:
        yield _play(line)
    finally:
        line.close()


def _hour_start(server: LiveServer) -> datetime:
    """Move the server's clock one minute into the next Paris hour; returns that hour's start."""
    now = datetime.fromisoformat(ok(server.client().get("/test/clock"))["now"]).astimezone(PARIS)
    next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    server.advance((next_hour - now).total_seconds() + 60)
    return next_hour


def _play(line: Hotline) -> dict[str, Any]:
    now_hour = _hour_start(line.server)
    base = now_hour - timedelta(hours=2)
    a, b, c = line.operator(), line.operator(), line.operator()
    who = {"a": a, "b": b}
    for arrival, after, talk, name in SEQUENCE:
        cid = f"{uuid.uuid4()}@sipp"
        at = base + timedelta(seconds=arrival)
        line.event(cid, "arrived", caller_number="+33612345678", at=at.isoformat())
        if name is None:
            line.event(cid, "queued", at=at.isoformat())
            line.event(cid, "lost", at=(at + timedelta(seconds=after)).isoformat())
            continue
        answered = at + timedelta(seconds=after)
        assert talk is not None
        line.event(cid, "answered", who[name].sip_user, at=answered.isoformat())
        line.event(cid, "ended", who[name].sip_user, at=(answered + timedelta(seconds=talk)).isoformat())
    line.server.advance(31)  # the wrap-ups (30 s) end by themselves
    c.set("pause", pause_reason="repas")
    line.server.advance(600)
    c.set("pause", pause_reason="formation")
    line.server.advance(120)
    c.set("available")
    _qualify(a, base)
    return {"base": base, "a": a, "b": b, "c": c}


def _qualify(operator: Operator, base: datetime) -> None:
    for code in ("declenchement_cree", "declenchement_cree", "renseignement"):
        call = str(uuid.uuid4())
        record = {
            "version": 1,
            "id": call,
            "direction": "incoming",
            "remote_number": "+33612345678",
            "started_at": base.isoformat(),
            "ended_at": (base + timedelta(seconds=60)).isoformat(),
            "outcome": "completed",
            "duration_seconds": 60,
        }
        ok(operator.client.post("/calls", json=record), 201)
        ok(operator.client.put(f"/calls/{call}/qualification", json={"code": code}))


def _stats(server: LiveServer, base: datetime, **params: str) -> Any:
    window = {"start": base.isoformat(), "end": (base + timedelta(hours=3)).isoformat()}
    response = server.admin().get("/stats/hotline", params=window | params)
    assert response.status_code == 200, response.text
    return response.json() if not params else response.text


def test_the_figures_of_a_known_sequence(clock_server: LiveServer, played: dict[str, Any]) -> None:
    stats = _stats(clock_server, played["base"])
    total = stats["total"]
    assert {k: v for k, v in total.items() if k != "mean_wrap_up_seconds"} == {
        "received": 6,
        "answered": 4,
        "lost": 2,
        "answered_within_service_level": 2,  # 10 s and 5 s (20 s or less)
        "service_level_percent": 33.3,  # 2 of 6 received: lost calls count against it
        "answered_within_60s_percent": 50.0,  # 10, 25 and 5 s
        "mean_wait_seconds": 29.2,  # (10 + 25 + 50 + 5 + 70 + 15) / 6
        "max_wait_seconds": 70.0,
        "mean_talk_seconds": 125.0,  # (120 + 60 + 300 + 20) / 4
    }
    assert (stats["service_level_seconds"], stats["service_level_target_percent"]) == (20, 80)
    first, second = stats["hours"][:2]
    assert first["hour"] == played["base"].isoformat()  # Paris time: +01:00 or +02:00
    assert (first["received"], first["answered"], first["lost"]) == (3, 2, 1)
    assert (first["answered_within_60s_percent"], first["mean_wait_seconds"], first["max_wait_seconds"]) == (
        66.7,
        28.3,
        50.0,
    )
    assert first["mean_talk_seconds"] == 90.0
    assert (second["received"], second["answered_within_60s_percent"], second["mean_talk_seconds"]) == (
        3,
        33.3,
        160.0,
    )
    assert second["mean_wait_seconds"] == 30.0


def test_each_operator_s_calls_wrap_up_and_pauses(clock_server: LiveServer, played: dict[str, Any]) -> None:
    stats = _stats(clock_server, played["base"])
    operators = {o["user_id"]: o for o in stats["operators"]}
    a, b, c = (operators[played[k].id] for k in "abc")
    assert (a["answered"], a["talk_seconds"], b["answered"], b["talk_seconds"]) == (2, 420.0, 2, 80.0)
    assert a["wrap_up_seconds"] == pytest.approx(31, abs=1)  # the last wrap-up ran its 30 s
    assert c["answered"] == 0
    assert c["pause_seconds_by_reason"] == {
        "formation": pytest.approx(120, abs=1),
        "repas": pytest.approx(600, abs=1),
    }
    # Each operator's first wrap-up ended at their next call (at once here), the second after 30 s.
    assert stats["total"]["mean_wrap_up_seconds"] == pytest.approx(31 / 2, abs=1)
    assert stats["qualifications"] == {"declenchement_cree": 2, "renseignement": 1}


def test_the_csv_export(clock_server: LiveServer, played: dict[str, Any]) -> None:
    admin = clock_server.admin()
    settings = ok(admin.get("/hotline/settings"))
    labels = [
        {"code": "renseignement", "label": '=HYPERLINK("http://x")'},
        {"code": "autre", "label": "Autre"},
    ]
    ok(admin.put("/hotline/settings", json=settings | {"qualifications": labels}))
    try:
        text = _stats(clock_server, played["base"], format="csv")
    finally:
        ok(admin.put("/hotline/settings", json=settings))
    assert text.startswith("\ufeffheure;reçus;décrochés;perdus;décrochés_en_20s_ou_moins;")
    lines = text.lstrip("\ufeff").split("\r\n")
    assert lines[1].startswith(f"{played['base'].isoformat()};3;2;1;1;33,3;66,7;28,3;50;90;")
    assert next(line for line in lines if line.startswith("total;")).startswith(
        "total;6;4;2;2;33,3;50;29,2;70;125;"
    )
    assert 'renseignement;"\'=HYPERLINK(""http://x"")";1' in text.split("\r\n")  # not a formula
    assert "declenchement_cree;declenchement_cree;2" in text  # a code the settings no longer label
    assert played["c"].client.get("/stats/hotline").status_code == 403  # operators: not the figures


def test_a_backwards_period_is_refused(clock_server: LiveServer) -> None:
    refused = clock_server.admin().get(
        "/stats/hotline", params={"start": "2026-03-02T10:00:00+01:00", "end": "2026-03-02T09:00:00+01:00"}
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "period_invalid")
