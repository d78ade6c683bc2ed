"""The hotline's supervisor views without Qt (issue 19): the operators' grid moved by the feed, the
queue's waits growing with the clock, times in Paris whatever the workstation, the thresholds'
colours, the statistics' rows, and what « Mon état » says and sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desktop.state.agent_state import (
    ServerChange,
    automatic_notice,
    caller_shown,
    pause_choices,
    server_change,
)
from desktop.state.call_flow import CallPhase, CallView
from desktop.state.hotline_board import OperatorsBoard, duration_text
from desktop.state.hotline_figures import (
    Level,
    hour_rows,
    operator_columns,
    operator_rows,
    qualification_rows,
    service_level,
    summary_lines,
    wait_level,
    waiting_level,
    wall_tiles,
)
from desktop.state.statistics import Period
from shared.schemas.feed import AgentStateChanged, FeedEvent, HotlineQueueChanged
from shared.schemas.hotline import (
    AgentOut,
    AgentState,
    Code,
    HotlineFigures,
    HotlineSettings,
    HotlineStatsOut,
    HourFigures,
    OperatorFigures,
    QueueEntryOut,
    QueueOut,
)
from telephony.events import CallDirection, Candidate

WINTER = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)  # 10:00 in Paris
REASONS = [Code(code="repas", label="Repas"), Code(code="unanswered", label="Appels non répondus")]


def agent(user_id: int, name: str, state: AgentState, **extra: object) -> AgentOut:
    fields: dict[str, object] = {
        "user_id": user_id,
        "name": name,
        "username": name.lower(),
        "sip_user": name.lower(),
        "state": state,
        "since": WINTER,
        "pause_reason": None,
        "pause_label": None,
        "caller": "",
        "idle_since": None,
        "unanswered_in_row": 0,
        "connected": True,
    }
    fields.update(extra)
    return AgentOut.model_validate(fields)


def test_the_grid_follows_the_feed_and_shows_paris_time() -> None:
    board = OperatorsBoard()
    board.pause_reasons = REASONS
    board.load(
        [
            agent(1, "Zoé", AgentState.AVAILABLE),
            agent(2, "Alain", AgentState.IN_CALL, caller="Dr Martin (+33612345678)"),
        ]
    )
    now = WINTER + timedelta(minutes=5, seconds=3)
    assert [r.cells(now) for r in board.ordered()] == [
        ("Alain", "En appel", "10:00:00 (5 min 03 s)", "", "Dr Martin (+33612345678)"),
        ("Zoé", "Disponible", "10:00:00 (5 min 03 s)", "", ""),
    ]
    paused_at = WINTER + timedelta(minutes=4)
    event = AgentStateChanged(user_id=1, state="pause", pause_reason="unanswered", automatic="unanswered")
    assert board.apply(FeedEvent(10, paused_at, None, None, event))  # a read follows
    zoe = board.rows[1]
    assert zoe.cells(now) == ("Zoé", "Pause", "10:04:00 (1 min 03 s)", "Appels non répondus", "")
    assert board.counts()[AgentState.PAUSE] == 1
    assert (
        board.counts_line() == "En appel : 1 · Post-appel : 0 · Disponible : 0 · Pause : 1 · Hors ligne : 0"
    )
    gone = AgentStateChanged(user_id=2, state="offline", automatic="disconnected")
    board.apply(FeedEvent(11, now, None, None, gone))
    assert board.rows[2].cells(now)[1] == "Hors ligne"
    assert board.rows[2].caller == ""
    summer = datetime(2027, 7, 1, 12, 0, tzinfo=UTC)
    board.load([agent(3, "Léa", AgentState.AVAILABLE, since=summer)])
    assert board.rows[3].cells(summer)[2] == "14:00:00 (0 s)"  # UTC+2 in summer


def test_the_queue_line_and_waits_grow_with_the_clock() -> None:
    board = OperatorsBoard()
    assert board.queue_line(WINTER) == "File d'attente : lecture…"
    entry = QueueEntryOut(
        id=1,
        call_id="c1",
        caller_number="+33612345678",
        caller_name="",
        arrived_at=WINTER,
        state="waiting",
        operator_id=None,
        waited_seconds=0.0,
    )
    queue = QueueOut(
        waiting=[entry], longest_wait_seconds=0.0, estimated_wait_seconds=None, available_operators=0
    )
    board.load_queue(queue, WINTER)
    later = WINTER + timedelta(seconds=75)
    assert board.longest_wait(later) == 75.0
    assert board.queue_line(later) == (
        "File d'attente : 1 appel en attente — attente la plus longue 1 min 15 s — attente estimée pas "
        "encore d'historique — opérateurs disponibles : 0"
    )
    assert board.queue_rows(later) == [("10:00:00", "+33612345678", "1 min 15 s")]
    assert board.apply(
        FeedEvent(12, later, None, None, HotlineQueueChanged(entry_id=1, state="lost", waiting=0))
    )
    assert duration_text(3725) == "1 h 02"


def test_the_wall_board_thresholds() -> None:
    assert [waiting_level(n) for n in (0, 1, 2, 3)] == [Level.OK, Level.WATCH, Level.WATCH, Level.ALERT]
    assert [wait_level(s, 20) for s in (5, 20, 59, 60)] == [Level.OK, Level.WATCH, Level.WATCH, Level.ALERT]
    assert [service_level(p, 80) for p in (None, 80.0, 70.0, 69.9)] == [
        Level.NONE,
        Level.OK,
        Level.WATCH,
        Level.ALERT,
    ]
    today = figures(received=10, answered=8, level=75.0)
    counts = {AgentState.AVAILABLE: 0, AgentState.IN_CALL: 2, AgentState.PAUSE: 1}
    tiles = {t.key: t for t in wall_tiles(3, 65.0, today, 20, 80, counts)}
    assert (tiles["hotline_waiting"].value, tiles["hotline_waiting"].level) == ("3", Level.ALERT)
    assert (tiles["hotline_longest"].value, tiles["hotline_longest"].level) == ("1 min 05 s", Level.ALERT)
    assert (tiles["hotline_level"].value, tiles["hotline_level"].level) == ("75 %", Level.WATCH)
    assert tiles["hotline_level"].label == "Décrochés en moins de 20 s aujourd'hui (objectif 80 %)"
    available = tiles["hotline_available"]
    assert (available.value, available.level) == ("0", Level.ALERT)  # callers wait, nobody free
    assert available.label == "Opérateurs disponibles (2 en appel, 0 post-appel, 1 pause, 0 hors ligne)"


def figures(received: int, answered: int, level: float | None) -> HotlineFigures:
    return HotlineFigures(
        received=received,
        answered=answered,
        lost=received - answered,
        answered_within_service_level=answered,
        service_level_percent=level,
        answered_within_60s_percent=level,
        mean_wait_seconds=12.4,
        max_wait_seconds=61.0,
        mean_talk_seconds=185.0,
        mean_wrap_up_seconds=30.0,
    )


def test_the_statistics_rows_in_french_and_paris_hours() -> None:
    hour = HourFigures(**figures(4, 3, 75.0).model_dump(), hour=datetime(2027, 1, 15, 8, 0, tzinfo=UTC))
    empty = HourFigures(**figures(0, 0, None).model_dump(), hour=datetime(2027, 1, 15, 9, 0, tzinfo=UTC))
    stats = HotlineStatsOut(
        start=WINTER,
        end=WINTER + timedelta(hours=8),
        service_level_seconds=20,
        service_level_target_percent=80,
        total=figures(4, 3, 75.0),
        hours=[hour, empty],
        operators=[
            OperatorFigures(
                user_id=1,
                name="Zoé",
                answered=3,
                talk_seconds=555.0,
                wrap_up_seconds=90.0,
                pause_seconds_by_reason={"repas": 1800.0, "unanswered": 120.0},
            )
        ],
        qualifications={"renseignement": 2, "declenchement_cree": 1},
    )
    lines = {label: (value, level) for label, value, level in summary_lines(stats)}
    assert lines["Décrochés en moins de 20 s (objectif 80 %)"] == ("75 %", Level.WATCH)
    assert lines["Attente maximale"] == ("1 min 01 s", Level.NONE)
    period = Period(WINTER, WINTER + timedelta(hours=8))
    assert hour_rows(stats, period) == [
        ("09 h", "4", "3", "1", "75 %", "12 s")
    ]  # 08:00 UTC, hours with calls
    headers, codes = operator_columns(REASONS, stats)
    assert headers == [
        "Opérateur",
        "Décrochés",
        "Communication",
        "Post-appel",
        "Pause — Repas",
        "Pause — Appels non répondus",
    ]
    assert operator_rows(stats, codes) == [
        ["Zoé", "3", "9 min 15 s", "1 min 30 s", "30 min 00 s", "2 min 00 s"]
    ]
    labels = [Code(code="renseignement", label="Renseignement")]
    assert qualification_rows(stats, labels) == [("Renseignement", 2), ("declenchement_cree", 1)]


def test_what_mon_etat_says_and_sends() -> None:
    settings = HotlineSettings(
        pause_reasons=REASONS,
        qualifications=[Code(code="autre", label="Autre")],
        wrap_up_seconds=30,
        unanswered_limit=3,
        strategy="ring_all",
        ring_seconds=15,
    )
    assert [c.code for c in pause_choices(settings)] == ["repas"]  # « unanswered » is the server's
    assert pause_choices(None) == []
    view = CallView(1, CallDirection.INCOMING, "+33612345678", "", WINTER, CallPhase.ACTIVE)
    assert caller_shown(view) == "+33612345678"
    view.chosen = Candidate("professional", "user:4", "Claire Martin", "Médecin")
    assert caller_shown(view) == "Claire Martin (+33612345678)"
    gone = ServerChange(AgentState.OFFLINE, None, "disconnected")
    title, text = automatic_notice(gone)
    assert title == "Passé hors ligne"
    assert "« Hors ligne »" in text
    assert "Ctrl+E" in text
    event = FeedEvent(1, WINTER, None, None, AgentStateChanged(user_id=4, state="sleeping", automatic="x"))
    assert server_change(event, 4) is None  # a state this desktop does not know: ignored
