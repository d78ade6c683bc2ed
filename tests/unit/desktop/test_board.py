"""The board without Qt: rows from the API's views, events applied, filters, countdown, sections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from desktop.services.board_feed import BoardReader, sections_of
from desktop.state.board import (
    Applied,
    BoardFilter,
    BoardRow,
    BoardState,
    Section,
    ServerClock,
    countdown_text,
    fold,
)
from desktop.sync.board_api import PAGE_SIZE, BoardApi
from shared.domain import PrescriptionState, Role
from tests.support.board_views import T0, event, view
from tests.support.desktop_server import FakeServer


def board(*views_: tuple[int, Section], now: datetime = T0 + timedelta(minutes=5)) -> BoardState:
    state = BoardState(ServerClock(local=lambda: now))
    state.replace(BoardRow.from_view(view(pid), section) for pid, section in views_)
    return state


def test_a_row_shows_what_the_seeds_board_shows() -> None:
    row = BoardRow.from_view(view(1), Section.MINE)
    assert row.case_number == "30000001"
    assert row.patient_name == "SANTONI Hélène"
    assert row.patient_birth == "17/03/1950"
    assert row.patient_phone == "01 99 00 12 34"
    assert row.requester_name == "Dr Prescripteur"
    assert row.caller_service == "Cabinet du Parc"
    assert row.intervention == "délai : 2 heure(s)"
    assert row.state_text() == "En cours"
    assert row.resources_text() == "3 ressource(s) déclenchée(s)"
    assert [text for _at, text in row.timeline()] == ["1er Déclenchement"]
    empty = BoardRow.from_view(view(2, notified_count=0), Section.MINE)
    assert empty.resources_text() == "Aucune ressource disponible"


def test_events_move_a_row_through_its_states() -> None:
    state = board((1, Section.MINE))
    row = state.rows[0]
    assert state.apply(event(10, "accepted", 1, accepted_by=5, accepted_by_name="DUPONT Anne")).position == 0
    assert row.state is PrescriptionState.ACCEPTED
    assert row.state_text() == "Accepté par DUPONT Anne"
    assert state.apply(event(11, "started", 1, user_id=5)).position == 0
    assert row.state_text() == "Débuté par DUPONT Anne"
    assert state.apply(event(12, "finished", 1, user_id=5)).position == 0
    assert state.rows[0].state is PrescriptionState.FINISHED
    assert [text for _at, text in row.timeline()] == [
        "terminée",
        "démarrée par DUPONT Anne",
        "acceptation par DUPONT Anne",
        "1er Déclenchement",
    ]


def test_cancel_and_expiry() -> None:
    state = board((1, Section.MINE), (2, Section.SUPERVISED))
    state.apply(event(10, "cancelled", 1, reason="Patient hospitalisé", by=3))
    state.apply(event(11, "expired", 2))
    cancelled, expired = state.rows
    assert cancelled.state is PrescriptionState.CANCELLED
    assert cancelled.timeline()[0][1] == "1er déclenchement annulé Motif : Patient hospitalisé"
    assert expired.state is PrescriptionState.EXPIRED
    assert expired.state_text() == "Annulé : aucun intervenant n'a accepté dans le délai"
    assert expired.remaining(T0) is None  # no countdown once closed


def test_a_replayed_older_event_never_moves_a_row_back() -> None:
    state = board((1, Section.MINE))
    state.apply(event(12, "started", 1, user_id=5))
    assert state.apply(event(10, "accepted", 1, accepted_by_name="X")).position is None
    assert state.rows[0].state is PrescriptionState.STARTED
    assert state.apply(event(11, "started", 1)).position is None


def test_a_renewal_starts_a_new_round_and_asks_for_the_new_comment() -> None:
    state = board((1, Section.MINE))
    state.apply(event(10, "expired", 1))
    deadline = T0 + timedelta(hours=2)
    applied = state.apply(
        event(11, "renewed", 1, round=2, notified_count=7, deadline_at=deadline.isoformat())
    )
    row = state.rows[0]
    assert applied.position == 0
    assert applied.fetch == 1
    assert (row.round, row.state, row.notified_count, row.deadline_at) == (
        2,
        PrescriptionState.PENDING,
        7,
        deadline,
    )
    assert row.timeline()[0][1] == "2e Déclenchement"
    assert state.apply(event(9, "expired", 1, round=1)).position is None  # the first round's


def test_pool_opened_updates_the_count_and_unknown_prescriptions_are_to_fetch() -> None:
    state = board((1, Section.MINE))
    assert state.apply(event(10, "pool_opened", 1, notified_count=40, added=37)).position == 0
    assert state.rows[0].notified_count == 40
    assert state.apply(event(11, "sent", 99, state="pending", notified_count=1)).fetch == 99
    assert state.apply(event(9, "sent", 1, state="pending", notified_count=3)) == Applied()  # replayed
    assert state.apply(event(12, "accepted", 98, accepted_by_name="X")).fetch is None  # not in my scope
    assert state.apply(event(13, "declined", 1, user_id=4)).position == 0  # « 1 refus » on the row
    assert state.apply(event(14, "commented", 1)).position is None


def test_refusals_of_the_current_round_are_counted_once_and_restart_with_a_renewal() -> None:
    state = BoardState(ServerClock(local=lambda: T0 + timedelta(minutes=5)))
    state.replace([BoardRow.from_view(view(1, declined_count=1, declined_user_ids=[4]), Section.MINE)])
    row = state.rows[0]
    assert row.state_lines() == "En cours\n1 refus"
    assert state.apply(event(10, "declined", 1, user_id=4)).position is None  # read already
    assert state.apply(event(11, "declined", 1, user_id=5)).position == 0
    assert (row.declined_count, row.state_lines()) == (2, "En cours\n2 refus")
    assert state.apply(event(11, "declined", 1, user_id=5)).position is None  # replayed
    state.apply(event(12, "cancelled", 1, reason="Personne", by=3))
    deadline = (T0 + timedelta(hours=2)).isoformat()
    state.apply(event(13, "renewed", 1, round=2, notified_count=7, deadline_at=deadline))
    assert (row.declined_count, row.state_lines()) == (0, "En cours")
    assert state.apply(event(9, "declined", 1, round=1, user_id=6)).position is None  # the first round's
    assert state.apply(event(14, "declined", 1, round=2, user_id=4)).position == 0  # may say no again
    assert row.state_lines() == "En cours\n1 refus"
    no_refusal = BoardRow.from_view(view(2), Section.MINE)
    assert (no_refusal.declined_count, no_refusal.state_lines()) == (0, "En cours")


def test_upsert_keeps_positions_and_mine_wins() -> None:
    state = board((1, Section.SUPERVISED), (2, Section.SUPERVISED))
    assert state.upsert(BoardRow.from_view(view(2), Section.MINE)) == (1, False)
    assert state.rows[1].section is Section.MINE
    assert state.upsert(BoardRow.from_view(view(2), Section.SUPERVISED)) == (1, False)
    assert state.rows[1].section is Section.MINE
    assert state.upsert(BoardRow.from_view(view(3), Section.SUPERVISED)) == (2, True)
    assert state.positions == {1: 0, 2: 1, 3: 2}


def test_countdown_and_priority_window() -> None:
    row = BoardRow.from_view(view(1, priority_until=T0 + timedelta(minutes=15)), Section.MINE)
    now = T0 + timedelta(minutes=5, seconds=30)
    assert countdown_text(row.remaining(now) or timedelta(0)) == "24 min 30 s"
    assert countdown_text(row.priority_left(now) or timedelta(0)) == "9 min 30 s"
    assert row.priority_left(T0 + timedelta(minutes=16)) is None
    assert countdown_text(timedelta(hours=1, minutes=5, seconds=9)) == "1 h 05 min"
    assert countdown_text(timedelta(days=2, hours=3)) == "2 j 03 h"
    assert countdown_text(timedelta(seconds=-3)) == "Délai dépassé"


def test_the_server_clock_follows_later_events_only() -> None:
    local = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    clock = ServerClock(local=lambda: local)
    clock.observe(local - timedelta(hours=3))  # an old event (backlog)
    assert clock.now() == local
    clock.observe(local + timedelta(minutes=20))  # the server is ahead (its test clock)
    assert clock.now() == local + timedelta(minutes=20)


def test_a_row_read_sent_later_than_the_desktop_clock_moves_the_server_clock() -> None:
    local = T0 - timedelta(days=20)  # the server's test clock is 20 days ahead; no event replayed
    state = BoardState(ServerClock(local=lambda: local))
    state.replace([BoardRow.from_view(view(1, sent_at=T0), Section.MINE)])
    assert state.clock.now() == T0
    state.replace([BoardRow.from_view(view(2, sent_at=T0 - timedelta(days=30)), Section.MINE)])
    assert state.clock.now() == T0  # an older row never moves it back


@pytest.mark.parametrize(
    ("board_filter", "expected"),
    [
        (BoardFilter(), {1, 2, 3, 4}),
        (BoardFilter(number="#30000002"), {2}),
        (BoardFilter(number="3000000"), {1, 2, 3, 4}),
        (BoardFilter(keyword="helene"), {1, 2, 3, 4}),
        (BoardFilter(keyword="KINÉ"), {3}),
        (BoardFilter(keyword="ulcère dupont"), {2}),
        (BoardFilter(state=PrescriptionState.ACCEPTED), {2}),
        (BoardFilter(profession_code="70"), {3}),
        (BoardFilter(period_days=7), {1, 2, 3}),
        (BoardFilter(period_days=30), {1, 2, 3, 4}),
        (BoardFilter(period_days=1), {1, 2}),
    ],
)
def test_filters(board_filter: BoardFilter, expected: set[int]) -> None:
    state = BoardState(ServerClock(local=lambda: T0))
    state.replace(
        [
            BoardRow.from_view(view(1), Section.MINE),
            BoardRow.from_view(
                view(2, state="accepted", accepted_by={"id": 5, "name": "DUPONT Anne"}), Section.MINE
            ),
            BoardRow.from_view(
                view(
                    3,
                    profession_code="70",
                    profession="Masseur-kinésithérapeute",
                    comment="Kiné respiratoire",
                    sent_at=T0 - timedelta(days=3),
                ),
                Section.MINE,
            ),
            BoardRow.from_view(view(4, sent_at=T0 - timedelta(days=10)), Section.MINE),
        ]
    )
    assert {r.id for r in state.visible(Section.MINE, board_filter)} == expected
    assert state.visible(Section.SUPERVISED, board_filter) == []


def test_fold() -> None:
    assert fold("D'ALMEIDA Hélène Œ") == "d'almeida helene œ"


def test_sections_by_role() -> None:
    assert sections_of(Role.SECRETARY) == [("mine", Section.MINE)]
    assert sections_of(Role.SUPERVISOR) == [("mine", Section.MINE), ("supervised", Section.SUPERVISED)]
    assert sections_of(Role.OPERATOR) == [("mine", Section.MINE), ("all", Section.SUPERVISED)]


@pytest.mark.anyio
async def test_the_api_reads_every_page_of_each_section() -> None:
    server = FakeServer()
    first = [view(i).model_dump(mode="json") for i in range(1, PAGE_SIZE + 1)]
    server.script(
        "GET /prescriptions",
        lambda _r: httpx.Response(200, json=first),
        lambda _r: httpx.Response(200, json=[view(PAGE_SIZE + 1).model_dump(mode="json")]),
        lambda _r: httpx.Response(200, json=[view(1).model_dump(mode="json")]),
    )
    api = BoardReader(BoardApi(server.client()), Role.SUPERVISOR)
    rows = await api.rows(T0 - timedelta(days=14))
    assert len(rows) == PAGE_SIZE + 2
    params = [dict(r.url.params) for r in server.requests]
    pages = [(p["scope"], p["offset"]) for p in params]
    assert pages == [("mine", "0"), ("mine", "500"), ("supervised", "0")]
    assert params[0]["since"] == (T0 - timedelta(days=14)).isoformat()
    assert [p.get("exclude_mine") for p in params] == [None, None, "true"]  # « Mes fiches » has them
    state = BoardState()
    state.replace(rows)
    assert len(state) == PAGE_SIZE + 1
    assert state.rows[0].section is Section.MINE  # also supervised: shown under « Mes fiches »


def test_a_row_read_before_an_applied_event_does_not_replace_it() -> None:
    state = board((1, Section.MINE))
    state.apply(event(10, "accepted", 1, accepted_by_name="DUPONT Anne"))
    assert state.upsert(BoardRow.from_view(view(1), Section.MINE)) == (0, False)  # read while pending
    assert state.rows[0].state is PrescriptionState.ACCEPTED
    later = view(1, state="started", accepted_by={"id": 5, "name": "DUPONT Anne"}, comment="Nouveau")
    state.upsert(BoardRow.from_view(later, Section.SUPERVISED))
    assert (state.rows[0].state, state.rows[0].comment, state.rows[0].section) == (
        PrescriptionState.STARTED,
        "Nouveau",
        Section.MINE,
    )


def test_a_pool_opened_early_ends_the_priority_countdown() -> None:
    """Every usual professional declined: the pool opened before the window's end, so the row must
    stop counting down « Priorité aux habituels » (the event's time is the window's real end)."""
    state = BoardState(ServerClock(local=lambda: T0 + timedelta(minutes=5)))
    window_end = T0 + timedelta(minutes=15)
    state.replace([BoardRow.from_view(view(1, priority_until=window_end), Section.MINE)])
    row = state.rows[0]
    assert row.priority_left(T0 + timedelta(minutes=6)) is not None
    opened = T0 + timedelta(minutes=7)
    assert state.apply(event(7, "pool_opened", 1, at=opened, notified_count=0, added=0)).position == 0
    assert row.priority_until == opened
    assert row.priority_left(T0 + timedelta(minutes=8)) is None
    later_round = BoardRow.from_view(view(2, round=2, priority_until=window_end), Section.MINE)
    state.replace([later_round])
    state.apply(event(8, "pool_opened", 2, at=opened, round=1, notified_count=0, added=0))
    assert later_round.priority_until == window_end  # an earlier round's opening changes nothing
