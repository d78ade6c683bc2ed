"""Issue 19 live on the desktop, against the real server and its change feed, the calls told through
the telephony routes as Kamailio and the queue holder tell them:
- the automatic pause: an operator's desktop open (Disponible, its SIP user sent), three calls rang
  out on it (« unanswered ») → the desktop shows Pause « Appels non répondus », the status bar and
  the tray say why, and the operator goes back to Disponible (read back from `GET /agents`);
- the supervisor's « Opérateurs » grid follows a second operator driven over HTTP, and its queue
  line follows a caller entering the queue, answered from it, and another hanging up in it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from desktop.sync.follower import FeedState
from desktop.ui.supervision.operators_view import OperatorsView
from shared.schemas.hotline import AgentState
from tests.support.desktop_phone import FakeSoftphone
from tests.support.dispatch import Desk
from tests.support.gui import close_main_window, open_main_window, run, wait_for
from tests.support.hotline import Hotline, Operator, ok
from tests.support.live import PASSWORD, LiveServer, unique
from tests.support.supervision_gui import cell


def agent(line: Hotline, user_id: int) -> dict[str, Any]:
    return line.agents().get(user_id, {"state": "?"})


def staff_operator(desk: Desk, line: Hotline) -> Operator:
    """An operator with a name of its own (the grid's rows are told apart by name)."""
    user, client = desk.staff("operator")
    found = Operator(user, client, unique("sip"))
    line.operators.append(found)
    return found


def test_three_unanswered_calls_pause_the_operator_who_is_told_and_comes_back(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    desk = Desk.open(gui_server)
    line = Hotline(gui_server)
    limit = ok(gui_server.admin().get("/hotline/settings"))["unanswered_limit"]
    if limit != 3:
        line.settings(unanswered_limit=3)
    me = staff_operator(desk, line)
    phone = FakeSoftphone()

    async def watch(main: Any) -> None:
        supervision = main.supervision
        assert supervision is not None
        told: list[tuple[str, str]] = []
        seen: list[tuple[int, str]] = []  # the change feed's events reaching the session
        main.session.on_event.append(lambda event: seen.append((event.seq, str(event.type))))
        supervision.notifier.told.connect(lambda title, message: told.append((title, message)))
        await wait_for(
            lambda: (
                agent(line, me.id).get("sip_user") == me.sip_user
                and agent(line, me.id)["state"] == "available"
            ),
            what="Disponible with the desktop's SIP user",
        )
        await wait_for(lambda: agent(line, me.id)["connected"], what="the desktop's feed seen by the server")
        await wait_for(lambda: main.session.follower.state is FeedState.LIVE, what="the feed's WebSocket")
        presence = main.session.presence
        assert presence is not None
        await wait_for(lambda: presence.settings is not None, what="the hotline settings (pause labels)")
        for ring in range(2):
            line.event(f"{uuid.uuid4()}@kamailio", "unanswered", me.sip_user)
            assert agent(line, me.id)["unanswered_in_row"] == ring + 1
        assert agent(line, me.id)["state"] == "available"  # two in a row: not yet
        assert main.status.operator.currentText() == "Disponible"

        line.event(f"{uuid.uuid4()}@kamailio", "unanswered", me.sip_user)  # the third
        assert agent(line, me.id)["state"] == "pause"
        assert agent(line, me.id)["pause_reason"] == "unanswered"
        try:
            await wait_for(
                lambda: main.status.operator.currentText() == "Pause — Appels non répondus",
                what="the desktop following the server's pause",
            )
        except AssertionError as late:  # say where the event stopped
            raise AssertionError(
                f"{late}: shown {main.status.operator.currentText()!r}, feed {main.session.follower.state}, "
                f"events seen {seen[-3:]}, settings read {presence.settings is not None}, "
                f"server {agent(line, me.id)}"
            ) from None
        assert main.session.flow.operator_state is AgentState.PAUSE
        message = main.status.currentMessage()
        assert message.startswith(
            "Mis en pause : appels non répondus — Plusieurs appels du standard ont sonné"
        )
        assert "« Pause — Appels non répondus »" in message
        assert "Choisissez « Disponible » (Ctrl+E)" in message
        assert told == [("Mis en pause : appels non répondus", message.split(" — ", 1)[1])]
        assert main.status.operator.toolTip() == "Mon état : Pause — Appels non répondus (Ctrl+E)"
        await asyncio.sleep(0.5)  # the desktop follows the server's pause and sends nothing back
        assert agent(line, me.id)["state"] == "pause"
        assert agent(line, me.id)["pause_reason"] == "unanswered"

        main.set_operator_state(AgentState.AVAILABLE)  # back by the operator's own choice
        await wait_for(lambda: agent(line, me.id)["state"] == "available", what="Disponible again")
        back = agent(line, me.id)
        assert back["pause_reason"] is None
        assert back["unanswered_in_row"] == 0  # the count starts again
        assert main.status.operator.currentText() == "Disponible"
        line.event(f"{uuid.uuid4()}@kamailio", "unanswered", me.sip_user)  # one more: still available
        assert agent(line, me.id)["state"] == "available"

    async def scenario() -> None:
        main = await open_main_window(
            gui_server.process.base_url, me.user["username"], PASSWORD, tmp_path, phone, sip_user=me.sip_user
        )
        qtbot.addWidget(main)
        try:
            await watch(main)
        finally:
            await close_main_window(main)
        assert agent(line, me.id)["state"] == "offline"  # leaving: « Hors ligne »

    try:
        run(loop, scenario(), timeout=60)
    finally:
        line.close()
        if limit != 3:
            line.settings(unanswered_limit=limit)
        desk.close()


def test_the_operators_grid_and_the_queue_line_follow_live(
    loop, qtbot, gui_server: LiveServer, tmp_path: Path
):
    desk = Desk.open(gui_server)
    line = Hotline(gui_server)
    supervisor, _client = desk.staff("supervisor")
    other = staff_operator(desk, line)
    assert ok(gui_server.admin().get("/hotline/queue"))["waiting"] == []  # each hotline test tidies up

    def available_now() -> int:
        return int(ok(gui_server.admin().get("/hotline/queue"))["available_operators"])

    def queue_caller(name: str, waited: int) -> str:
        call_id = f"{uuid.uuid4()}@sipp"
        at = (datetime.now(UTC) - timedelta(seconds=waited)).isoformat()
        line.event(call_id, "arrived", caller_number="+33612345678", caller_name=name, at=at)
        line.event(call_id, "queued", at=at)
        return call_id

    async def watch(view: OperatorsView) -> None:
        def row() -> list[str]:
            return next((r for r in view.row_texts() if r[0] == other.user["display_name"]), [])

        def waiting() -> list[list[str]]:
            return [
                [cell(view.waiting, r, c) for c in range(view.waiting.columnCount())]
                for r in range(view.waiting.rowCount())
            ]

        await wait_for(lambda: view.board.queue is not None, what="the first read")
        other.set("available")  # driven over HTTP: no desktop follows the feed for them
        await wait_for(lambda: row()[1:2] == ["Disponible (poste déconnecté)"], what="Disponible, live")
        other.set("pause", pause_reason="formation")
        await wait_for(lambda: row()[1:2] == ["Pause (poste déconnecté)"], what="Pause, live")
        assert row()[3] == "Formation"
        assert row()[4] == ""
        empty = f"File d'attente : aucun appel en attente — opérateurs disponibles : {available_now()}"
        await wait_for(lambda: view.queue_line.text() == empty, what="the empty queue")

        waiting_call = queue_caller("Dr Attente", 30)  # a caller enters the queue
        await wait_for(
            lambda: view.queue_line.text().startswith("File d'attente : 1 appel en attente"), what="1"
        )
        text = view.queue_line.text()
        assert " — attente la plus longue 3" in text  # « 30 s », « 31 s »…: it grows
        assert text.endswith(f"opérateurs disponibles : {available_now()}")
        assert [cells[1] for cells in waiting()] == ["Dr Attente"]
        assert waiting()[0][2].endswith(" s")

        other.set("available")  # the holder offers the caller to them; they answer
        line.event(waiting_call, "answered", other.sip_user)
        await wait_for(lambda: row()[1:2] == ["En appel (poste déconnecté)"], what="En appel, live")
        await wait_for(lambda: row()[4:5] == ["Dr Attente"], what="the caller on the grid")
        await wait_for(lambda: view.queue_line.text().startswith("File d'attente : aucun appel"), what="0")
        assert waiting() == []
        line.event(waiting_call, "ended", other.sip_user)
        await wait_for(lambda: row()[1:2] == ["Post-appel (poste déconnecté)"], what="Post-appel, live")
        assert row()[4] == ""

        lost_call = queue_caller("Dr Parti", 5)  # another enters, then hangs up
        await wait_for(lambda: [c[1] for c in waiting()] == ["Dr Parti"], what="the second caller waiting")
        assert view.queue_line.text().startswith("File d'attente : 1 appel en attente")
        line.event(lost_call, "lost")
        await wait_for(lambda: waiting() == [], what="the caller gone from the queue")
        assert view.queue_line.text().startswith("File d'attente : aucun appel en attente")

    async def scenario() -> None:
        main = await open_main_window(gui_server.process.base_url, supervisor["username"], PASSWORD, tmp_path)
        qtbot.addWidget(main)
        try:
            assert main.supervision is not None
            view = main.supervision.operators
            assert view is not None
            await watch(view)
        finally:
            await close_main_window(main)

    try:
        run(loop, scenario(), timeout=60)
    finally:
        line.close()
        desk.close()
