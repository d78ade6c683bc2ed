"""The hotline's rules that need no server (issue 19): the operators' transitions, the figures'
definitions, the CSV export's shape and its neutralised cells."""

from __future__ import annotations

from datetime import UTC, datetime

from server.services.agent_states import TRANSITIONS
from server.services.hotline_stats import _Call, _figures, csv_export
from shared.schemas.hotline import AgentState, HotlineFigures, HotlineStatsOut, OperatorFigures

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_every_state_has_its_transitions_and_post_appel_follows_a_call() -> None:
    assert set(TRANSITIONS) == set(AgentState)
    assert {s for s, allowed in TRANSITIONS.items() if AgentState.AFTER_CALL in allowed} == {
        AgentState.IN_CALL
    }
    assert TRANSITIONS[AgentState.OFFLINE] == {AgentState.AVAILABLE, AgentState.PAUSE}
    assert all(AgentState.OFFLINE in allowed for s, allowed in TRANSITIONS.items() if s != AgentState.OFFLINE)


def _call(wait: float | None, talk: float | None = None, *, lost: bool = False) -> _Call:
    answered = not lost and wait is not None
    return _Call(AT, 1 if answered else None, answered, lost, wait, talk)


def test_the_service_level_counts_lost_calls_against_it() -> None:
    calls = [_call(20, 60), _call(21, 30), _call(60, 10), _call(8, lost=True), _call(None)]
    figures = _figures(calls, [30.0, 10.0], 20)
    assert figures == HotlineFigures(
        received=5,  # the last one still rings: received, neither answered nor lost
        answered=3,
        lost=1,
        answered_within_service_level=1,  # 20 s or less
        service_level_percent=20.0,
        answered_within_60s_percent=60.0,
        mean_wait_seconds=27.2,  # (20 + 21 + 60 + 8) / 4: answered and lost
        max_wait_seconds=60.0,
        mean_talk_seconds=33.3,
        mean_wrap_up_seconds=20.0,
    )
    assert _figures([], [], 20).service_level_percent is None  # nothing received: no ratio


def test_the_csv_has_three_tables_and_no_formula() -> None:
    figures = _figures([_call(5, 100)], [], 20)
    stats = HotlineStatsOut(
        start=AT,
        end=AT,
        service_level_seconds=20,
        service_level_target_percent=80,
        total=figures,
        hours=[],
        operators=[
            OperatorFigures(
                user_id=1,
                name="-Dupont",
                answered=1,
                talk_seconds=100.5,
                wrap_up_seconds=0,
                pause_seconds_by_reason={"repas": 60.0},
            )
        ],
        qualifications={"autre": 2},
    )
    lines = csv_export(stats, {"autre": "@Autre"}).split("\r\n")
    assert lines[1] == "total;1;1;0;1;100;100;5;5;100;"
    assert lines[2] == ""
    assert lines[3:5] == [
        "opérateur;décrochés;conversation_s;post_appel_s;pause_repas_s",
        "'-Dupont;1;100,5;0;60",
    ]
    assert lines[6:8] == ["qualification;libellé;appels", "autre;'@Autre;2"]
