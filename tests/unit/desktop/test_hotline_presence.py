"""« Mon état » leaves the desktop (issue 19): the reporter's latest-wins rule against a scripted
server, the call flow's states as the server receives them, the server's automatic changes
followed and said, the settings' wrap-up delay, « Hors ligne » on leaving, the qualification."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from desktop.services.hotline_presence import SETTINGS_CACHE_KEY, HotlinePresence
from desktop.services.qualifications import QualificationSender
from desktop.services.state_reporter import NOT_ON_THE_HOTLINE, StateReporter
from desktop.state.call_flow import CallFlow
from desktop.store import LocalStore
from desktop.sync.hotline_api import HotlineApi
from shared.schemas.feed import AgentStateChanged, FeedEvent
from shared.schemas.hotline import AgentState, AgentStateIn
from telephony.events import CallDirection, CallEnded, CallState, CallStateChanged, EndCause, IncomingCall
from tests.support.desktop_phone import FakeSoftphone
from tests.support.desktop_server import FakeServer, error, ok, unreachable

pytestmark = pytest.mark.anyio
NOW = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
ME = 7
STATE = "PUT /agents/me/state"
SETTINGS: dict[str, Any] = {
    "pause_reasons": [
        {"code": "repas", "label": "Repas"},
        {"code": "formation", "label": "Formation"},
        {"code": "unanswered", "label": "Appels non répondus"},
    ],
    "qualifications": [{"code": "renseignement", "label": "Renseignement"}],
    "wrap_up_seconds": 12,
    "unanswered_limit": 3,
    "strategy": "longest_idle",
    "ring_seconds": 15,
    "service_level_seconds": 20,
    "service_level_target_percent": 80,
}


def body(state: AgentState, reason: str | None = None) -> AgentStateIn:
    return AgentStateIn(state=state, pause_reason=reason, sip_user="op7")


async def settle(condition: Any, what: str, timeout: float = 3.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out: {what}")
        await asyncio.sleep(0.005)


def accept(_request: httpx.Request) -> httpx.Response:
    return httpx.Response(204)


# ---- the reporter --------------------------------------------------------------------------------


async def test_an_unreachable_server_gets_only_the_latest_state_once_it_answers() -> None:
    server = FakeServer()
    api = HotlineApi(server.client())
    problems: list[str] = []
    reporter = StateReporter(api.put_my_state, problems.append, backoff_start=0.05, backoff_max=0.05)
    server.script(STATE, unreachable, unreachable, accept)
    task = asyncio.ensure_future(reporter.run())
    reporter.report(body(AgentState.AVAILABLE))
    await settle(lambda: len(server.requests) >= 1, "the first try")
    assert "Mon état « Disponible » pas encore transmis au serveur" in problems[-1]
    assert "nouvel essai dans" in problems[-1]
    reporter.report(body(AgentState.PAUSE, "repas"))  # superseded before it could leave…
    reporter.report(body(AgentState.PAUSE, "formation"))  # …by this one
    await settle(lambda: reporter.settled, "the server holding the latest state")
    sent = [b["state"] + ":" + str(b["pause_reason"]) for b in server.bodies(STATE)]
    assert sent[-1] == "pause:formation"
    assert "pause:repas" not in sent  # never a backlog of stale states
    assert problems[-1] == ""  # the operator told it is settled
    assert reporter.held == body(AgentState.PAUSE, "formation")
    task.cancel()


async def test_a_refused_state_is_said_and_not_retried_until_chosen_again() -> None:
    server = FakeServer()
    problems: list[str] = []
    reporter = StateReporter(HotlineApi(server.client()).put_my_state, problems.append, backoff_start=0.01)
    server.script(STATE, lambda r: error(422, "pause_reason", "Motif de pause inconnu : plage"))
    task = asyncio.ensure_future(reporter.run())
    reporter.report(body(AgentState.PAUSE, "plage"))
    await settle(lambda: reporter.refused is not None, "the refusal")
    await asyncio.sleep(0.05)
    assert len(server.requests) == 1
    assert problems[-1] == "Mon état « Pause » refusé par le serveur : Motif de pause inconnu : plage"
    server.script(STATE, accept)
    reporter.report(body(AgentState.PAUSE, "plage"))  # chosen again: tried again
    await settle(lambda: len(server.requests) == 2 and reporter.settled, "the second try")
    task.cancel()


async def test_an_account_the_hotline_does_not_ring_stops_sending_after_one_403() -> None:
    server = FakeServer()
    problems: list[str] = []
    reporter = StateReporter(HotlineApi(server.client()).put_my_state, problems.append)
    server.script(STATE, lambda r: error(403, "forbidden", "Réservé aux opérateurs"))
    task = asyncio.ensure_future(reporter.run())
    reporter.report(body(AgentState.AVAILABLE))
    await settle(lambda: reporter.forbidden, "the 403")
    reporter.report(body(AgentState.PAUSE, "repas"))
    await asyncio.sleep(0.05)
    assert (len(server.requests), problems) == (1, [NOT_ON_THE_HOTLINE])
    task.cancel()


async def test_an_expired_session_pauses_until_the_new_login() -> None:
    server = FakeServer()
    reporter = StateReporter(HotlineApi(server.client()).put_my_state, backoff_start=0.01)
    server.script(STATE, lambda r: error(401, "token_expired", "Session expirée"))
    task = asyncio.ensure_future(reporter.run())
    reporter.report(body(AgentState.AVAILABLE))
    await settle(lambda: reporter.paused, "the pause")
    assert "reconnectez-vous" in reporter.problem
    await asyncio.sleep(0.05)
    assert len(server.requests) == 1
    server.script(STATE, accept)
    reporter.resume()
    await settle(lambda: reporter.settled, "sent after the login")
    assert reporter.problem == ""
    task.cancel()


# ---- the presence: the flow's states, the server's changes, leaving --------------------------------


def incoming(call_id: int) -> IncomingCall:
    return IncomingCall(
        call_id, "+33612345678", "0612345678", "Dr Martin", "hotline", f"sip-{call_id}", NOW, False
    )


def presence_of(server: FakeServer, store: LocalStore | None = None) -> tuple[HotlinePresence, FakeSoftphone]:
    phone = FakeSoftphone()
    flow = CallFlow(phone)
    flow.attach()
    reporter = StateReporter(HotlineApi(server.client()).put_my_state, backoff_start=0.01)
    presence = HotlinePresence(HotlineApi(server.client()), flow, ME, "op7", store, reporter=reporter)
    return presence, phone


async def test_every_change_of_the_call_flow_reaches_the_server_with_the_call() -> None:
    server = FakeServer()
    server.script("GET /hotline/settings", ok(SETTINGS))
    server.script(STATE, *[accept] * 10)
    presence, phone = presence_of(server)
    presence.start()
    await settle(lambda: presence.reporter.settled and presence.settings is not None, "the start")
    assert presence.flow.wrap_up_seconds == 12.0  # the server's setting, not the local default
    phone.emit(incoming(1))
    phone.emit(CallStateChanged(1, CallState.CONFIRMED, 200, "OK"))
    await settle(lambda: presence.reporter.settled, "« En appel » sent")
    phone.emit(CallEnded(1, CallDirection.INCOMING, EndCause.COMPLETED, 200, "BYE", 30.0, NOW))
    await settle(lambda: presence.reporter.settled, "« Post-appel » sent")
    assert presence.ready()  # « Prêt »
    await settle(lambda: presence.reporter.settled, "« Disponible » sent")
    presence.pause("repas")
    await settle(lambda: presence.reporter.settled, "« Pause » sent")
    sent = server.bodies(STATE)
    assert [b["state"] for b in sent] == ["available", "in_call", "after_call", "available", "pause"]
    assert {b["sip_user"] for b in sent} == {"op7"}
    assert (sent[1]["call_id"], sent[1]["caller"]) == ("sip-1", "Dr Martin (+33612345678)")
    assert sent[2]["call_id"] is None
    assert sent[2]["caller"] == ""
    assert sent[-1]["pause_reason"] == "repas"
    server.script(STATE, accept)
    assert await presence.leave() is True  # logging out, changing user, quitting
    assert server.bodies(STATE)[-1] == {
        "state": "offline",
        "pause_reason": None,
        "sip_user": "op7",
        "call_id": None,
        "caller": "",
    }


async def test_the_server_s_automatic_pause_is_followed_said_and_not_sent_back() -> None:
    server = FakeServer()
    server.script("GET /hotline/settings", ok(SETTINGS))
    server.script(STATE, accept)
    presence, _phone = presence_of(server)
    notices: list[tuple[str, str]] = []
    presence.on_notice.append(lambda title, text: notices.append((title, text)))
    presence.start()
    await settle(lambda: presence.reporter.settled and presence.settings is not None, "the start")
    changed = AgentStateChanged(user_id=ME, state="pause", pause_reason="unanswered", automatic="unanswered")
    someone_else = AgentStateChanged(user_id=ME + 1, state="offline", automatic="disconnected")
    presence.on_event(FeedEvent(41, NOW, None, None, someone_else))
    presence.on_event(FeedEvent(42, NOW, None, None, changed))
    assert (presence.flow.operator_state, presence.flow.pause_reason) == (AgentState.PAUSE, "unanswered")
    assert notices == [
        (
            "Mis en pause : appels non répondus",
            "Plusieurs appels du standard ont sonné sur votre poste sans réponse : vous êtes en "
            "« Pause — Appels non répondus » et ne recevez plus d'appels. Choisissez « Disponible » "
            "(Ctrl+E) quand vous êtes prêt.",
        )
    ]
    await asyncio.sleep(0.05)
    assert [b["state"] for b in server.bodies(STATE)] == ["available"]  # nothing sent back
    mine = AgentStateChanged(user_id=ME, state="pause", pause_reason="repas")  # my own, echoed
    presence.on_event(FeedEvent(43, NOW, None, None, mine))
    assert len(notices) == 1
    server.script(STATE, unreachable)
    assert await presence.leave(timeout=0.5) is False  # said in the log; the server's own bound then
    presence.flow.set_operator_state(AgentState.AVAILABLE)
    await asyncio.sleep(0.05)
    assert [b["state"] for b in server.bodies(STATE)] == ["available", "offline"]  # nothing after leaving


async def test_the_last_settings_read_serve_a_start_without_the_server(tmp_path: Any) -> None:
    store = LocalStore(None)
    store.cache_put(SETTINGS_CACHE_KEY, SETTINGS)
    server = FakeServer()
    server.script("GET /hotline/settings", unreachable)
    presence, _phone = presence_of(server, store)
    settings = await presence.read_settings()
    assert settings is not None
    assert settings.wrap_up_seconds == 12
    assert presence.flow.wrap_up_seconds == 12.0


# ---- the qualification ---------------------------------------------------------------------------


async def test_a_qualification_waits_for_its_record_and_the_latest_code_wins() -> None:
    server = FakeServer()
    outcomes: list[tuple[str, bool]] = []
    sender = QualificationSender(
        HotlineApi(server.client()).set_qualification,
        lambda _id, text, done: outcomes.append((text, done)),
        backoff_start=0.01,
        backoff_max=0.02,
    )
    route = "PUT /calls/rec-1/qualification"
    server.script(route, lambda r: error(404, "not_found", "Appel introuvable"), unreachable, accept)
    task = sender.qualify("rec-1", "renseignement", "Renseignement")
    sender.qualify("rec-1", "rappel_prevu", "Rappel prévu")  # changed before it left
    await asyncio.wait_for(task, 2)
    assert [b["code"] for b in server.bodies(route)] == ["rappel_prevu"] * 3
    assert outcomes == [("Qualification de l'appel enregistrée : Rappel prévu", True)]
    server.script(route, lambda r: error(422, "code", "Qualification inconnue"))
    await asyncio.wait_for(sender.qualify("rec-1", "plage", "plage"), 2)
    assert outcomes[-1] == ("Qualification « plage » refusée : Qualification inconnue", False)


async def test_a_state_skipped_while_the_server_was_away_is_sent_on_the_way() -> None:
    server = FakeServer()
    reporter = StateReporter(HotlineApi(server.client()).put_my_state, backoff_start=0.01)
    refused = error(
        422, "agent_transition", "Passage impossible de « Disponible » à « Post-appel »", state="available"
    )
    server.script(STATE, lambda r: refused, accept, accept)
    task = asyncio.ensure_future(reporter.run())
    reporter.report(body(AgentState.AFTER_CALL))  # the call came and went while unreachable
    await settle(lambda: reporter.settled, "« Post-appel » held")
    assert [b["state"] for b in server.bodies(STATE)] == ["after_call", "in_call", "after_call"]
    assert reporter.problem == ""
    task.cancel()
