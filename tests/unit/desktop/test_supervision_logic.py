"""Qt-free logic of « Appels », « Statistiques », the wall-board and the desktop notices."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from desktop.state import call_list, statistics, tray_notices, wallboard
from desktop.state.statistics import PeriodChoice
from desktop.state.tray_notices import NoticeDecider, NoticeKind, NoticeSwitches
from shared.domain import Role
from shared.schemas.auth import UserOut
from shared.schemas.calls import CallRecordOut, IdentifiedCandidate
from shared.schemas.dispatch import PersonRef, PrescriptionView
from shared.schemas.exchanges import IncidentOut
from shared.schemas.feed import FeedEvent
from shared.schemas.stats import Acceptance, DelayBucket, HourCount, ProfessionCount, Statistics
from tests.support.feed_events import feed_event

NOW = datetime(2026, 11, 27, 13, 30, tzinfo=UTC)  # 14:30 in Paris


def record(**changes: Any) -> CallRecordOut:
    values: dict[str, Any] = {
        "id": "0b8c3f2e-4a59-4c4e-9a0d-1f2e3d4c5b6a",
        "operator_id": 3,
        "operator_name": "Opératrice Une",
        "direction": "incoming",
        "remote_number": "+33199001234",
        "remote_display_name": "",
        "local_number": "centrale",
        "identification": "identified",
        "identified": [],
        "started_at": NOW,
        "answered_at": None,
        "ended_at": NOW + timedelta(seconds=20),
        "outcome": "missed",
        "end_code": 487,
        "end_reason": "",
        "duration_seconds": 0,
        "case_numbers": [],
        "received_at": NOW,
        "callback_at": None,
        "callback_by": None,
        "callback_note": "",
    }
    values.update(changes)
    return CallRecordOut(**values)


# ---- calls --------------------------------------------------------------------------------------
def test_a_call_line_reads_in_french_with_the_cases_created_during_the_call() -> None:
    doctor = IdentifiedCandidate(kind="professional", id="rpps:1", display_name="Dr Claire MARTIN")
    line = call_list.CallLine.of(
        record(outcome="completed", identified=[doctor], duration_seconds=125, case_numbers=["1204", "1205"]),
        UTC,
    )
    assert line.number == "01 99 00 12 34"
    assert line.caller == "Dr Claire MARTIN"
    assert line.outcome == "Abouti"
    assert line.duration == "2 min 05"
    assert line.cases == "#1204, #1205"
    assert line.when == "27/11 13:30"
    cells = call_list.log_cells(line)
    assert len(cells) == len(call_list.LOG_COLUMNS)
    assert cells[-1] == "#1204, #1205"


def test_caller_names_unknown_several_and_hidden_number() -> None:
    two = [
        IdentifiedCandidate(kind="patient", id="patient:1", display_name="DUPONT Jeanne"),
        IdentifiedCandidate(kind="patient", id="patient:2", display_name="DUPONT Marc"),
    ]
    assert call_list.caller_name(record(identified=two)) == "DUPONT Jeanne et 1 autre"
    assert call_list.caller_name(record()) == "Appelant inconnu"
    assert call_list.national("") == "Numéro masqué"
    assert call_list.national("anonymous") == "anonymous"
    assert call_list.duration_text(3725) == "1 h 02"
    assert call_list.cases_text(record()) == "—"


def test_callback_plan_dials_with_a_softphone_and_shows_the_number_without() -> None:
    line = call_list.CallLine.of(record())
    with_phone = call_list.plan_callback(line, has_softphone=True)
    assert with_phone.dial
    assert with_phone.destination == "+33199001234"
    without = call_list.plan_callback(line, has_softphone=False)
    assert not without.dial
    assert without.message == (
        "Pas de téléphone sur ce poste : composez le 01 99 00 12 34 pour rappeler Appelant inconnu, "
        "puis « Rappelé par un autre moyen » (l'appel reste à rappeler d'ici là)"
    )
    hidden = call_list.plan_callback(call_list.CallLine.of(record(remote_number="")), has_softphone=True)
    assert not hidden.dial
    assert "Numéro masqué" in hidden.message
    assert "reste à rappeler" in hidden.message  # nothing taken: no call was placed
    assert call_list.dial_failed(line, "Pas de serveur d'appels.") == (
        "Rappel non passé : Pas de serveur d'appels. Composez le 01 99 00 12 34, puis "
        "« Rappelé par un autre moyen » (l'appel reste à rappeler)"
    )


def test_a_taken_callback_is_written_in_the_log() -> None:
    taken = record(callback_at=NOW + timedelta(minutes=5), callback_by="Superviseur Deux")
    line = call_list.CallLine.of(taken, UTC)
    assert line.callback == "Rappel pris en charge par Superviseur Deux le 27/11 13:35"
    assert call_list.log_cells(line)[4] == "Manqué — " + line.callback
    other = record(
        callback_at=NOW + timedelta(minutes=5), callback_by="Superviseur Deux",
        callback_note=call_list.OTHER_MEANS_NOTE,
    )  # fmt: skip
    assert call_list.CallLine.of(other, UTC).callback == (
        "Rappel pris en charge par Superviseur Deux le 27/11 13:35 (Rappelé par un autre moyen)"
    )


# ---- statistics ---------------------------------------------------------------------------------
def stats(**changes: Any) -> Statistics:
    values: dict[str, Any] = {
        "since": NOW - timedelta(days=14),
        "until": NOW,
        "calls_per_hour": [
            HourCount(hour=datetime(2026, 11, 26, 9, tzinfo=UTC), incoming=3, missed=1, outgoing=1),
            HourCount(hour=datetime(2026, 11, 27, 9, tzinfo=UTC), incoming=2, missed=0, outgoing=0),
            HourCount(hour=datetime(2026, 11, 27, 13, tzinfo=UTC), incoming=1, missed=1, outgoing=2),
        ],
        "prescriptions_by_state": {"pending": 2, "accepted": 5, "expired": 1, "cancelled": 1},
        "prescriptions_by_profession": [
            ProfessionCount(profession_code="60", profession="Infirmier", count=7),
            ProfessionCount(profession_code="70", profession="Masseur-kinésithérapeute", count=2),
        ],
        "acceptance": Acceptance(
            sent=9, accepted=5, rate=0.7143, expired=1, expired_share=0.1111, cancelled=1, pending=2
        ),
        "minutes_to_acceptance": [
            DelayBucket(up_to_minutes=1, count=2),
            DelayBucket(up_to_minutes=5, count=3),
            DelayBucket(up_to_minutes=None, count=0),
        ],
        "median_minutes_to_acceptance": 2.5,
    }
    values.update(changes)
    return Statistics(**values)


def test_periods_from_local_midnight_or_days_back() -> None:
    today = statistics.period_for(PeriodChoice.TODAY, NOW)
    assert today.since.isoformat() == "2026-11-27T00:00:00+01:00"
    assert today.until == NOW + timedelta(seconds=1)
    fortnight = statistics.period_for(statistics.DEFAULT_PERIOD, NOW)
    assert fortnight.since == NOW - timedelta(days=14)
    assert fortnight.params()["tz"] == "Europe/Paris"
    assert fortnight.csv_name() == "declenchements-20261113-20261127.csv"
    assert next(c.label for c in PeriodChoice) == "Aujourd'hui"


def test_chart_series_over_several_days_sum_by_hour_of_the_day() -> None:
    period = statistics.period_for(PeriodChoice.DAYS_14, NOW)
    data = statistics.chart_data(stats(), period)
    assert data.hours_title.startswith("Appels par heure de la journée")
    assert len(data.hours) == 24
    ten = data.hours[10]  # 9:00 UTC is 10 h in Paris, on both days
    assert (ten.label, ten.incoming, ten.missed, ten.outgoing) == ("10 h", 5, 1, 1)
    assert data.has_calls
    assert data.has_prescriptions
    assert data.states[:3] == [("En cours", 2), ("Accepté", 5), ("Débuté", 0)]
    assert data.professions == [("Infirmier", 7), ("Masseur-kinésithérapeute", 2)]
    assert data.delays == [("≤ 1", 2), ("1–5", 3), ("> 5", 0)]
    assert statistics.outcome_slices(data) == [
        ("Acceptés", 5),
        ("Expirés", 1),
        ("Annulés", 1),
        ("En cours", 2),
    ]
    assert (data.rate_text, data.expired_share_text, data.median_text) == ("71,4 %", "11,1 %", "2,5 min")
    assert statistics.summary_line(data).startswith("9 déclenchements — taux d'acceptation 71,4 %")


def test_chart_series_over_one_day_hour_by_hour_and_empty_figures() -> None:
    period = statistics.period_for(PeriodChoice.TODAY, NOW)
    data = statistics.chart_data(stats(), period)
    assert data.hours_title == "Appels par heure"
    assert [b.label for b in data.hours] == ["10 h", "10 h", "14 h"]
    empty = statistics.chart_data(
        stats(
            calls_per_hour=[],
            acceptance=Acceptance(
                sent=0, accepted=0, rate=None, expired=0, expired_share=None, cancelled=0, pending=0
            ),
            median_minutes_to_acceptance=None,
        ),
        period,
    )
    assert not empty.has_calls
    assert not empty.has_prescriptions
    assert (empty.rate_text, empty.median_text) == ("—", "—")
    assert statistics.percent(1.0) == "100 %"
    assert statistics.minutes_text(0.5) == "30 s"
    assert statistics.minutes_text(95) == "1 h 35"


# ---- wall-board ---------------------------------------------------------------------------------
def test_wallboard_figures_from_today_and_the_pending_lookback() -> None:
    today = stats()
    recent = stats(
        acceptance=Acceptance(
            sent=30, accepted=20, rate=0.8, expired=5, expired_share=0.16, cancelled=0, pending=4
        )
    )
    figures = wallboard.WallboardFigures.of(today, recent)
    tiles = {key: value for key, _label, value in figures.tiles()}
    assert tiles == {
        "pending": "4",
        "accepted": "5",
        "expired": "1",
        "delay": "2,5 min",
        "rate": "71,4 %",
        "sent": "9",
    }
    assert wallboard.pending_period(NOW).since == NOW - timedelta(days=8)
    assert wallboard.today_period(NOW).since.hour == 0
    assert wallboard.updated_line(NOW) == "Mis à jour à 14:30:00"
    assert wallboard.refreshes(event("prescription_accepted", 1))
    assert not wallboard.refreshes(event("call_recorded", None))
    assert call_list.refreshes(event("call_recorded", None))  # the calls view reads its lists again
    assert call_list.refreshes(event("call_callback", None))
    assert not call_list.refreshes(event("prescription_accepted", 1))


# ---- notices ------------------------------------------------------------------------------------
def user(role: Role = Role.OPERATOR, networks: list[int] | None = None) -> UserOut:
    return UserOut(id=3, username="op", role=role, display_name="Opératrice", network_ids=networks or [])


def event(type_: str, prescription_id: int | None = 11, **data: Any) -> FeedEvent:
    return feed_event(type_, 5, at=NOW, case_id=4, prescription_id=prescription_id, **data)


def test_switches_round_trip_through_the_setting_text() -> None:
    switches = NoticeSwitches.from_setting("expired, bogus,incident")
    assert switches.off == {NoticeKind.EXPIRED, NoticeKind.INCIDENT}
    assert switches.to_setting() == "expired,incident"
    assert switches.switched(NoticeKind.EXPIRED, True).to_setting() == "incident"
    assert NoticeSwitches.from_setting("").enabled(NoticeKind.ACCEPTED)
    assert NoticeKind.EXPIRED.label == "Demande expirée sans intervenant"


def test_candidates_from_the_event_alone() -> None:
    on = NoticeSwitches()
    assert tray_notices.candidate(event("prescription_accepted"), user(), on) is NoticeKind.ACCEPTED
    assert tray_notices.candidate(event("prescription_expired"), user(), on) is NoticeKind.EXPIRED
    assert tray_notices.candidate(event("prescription_started"), user(), on) is None
    off = NoticeSwitches(frozenset({NoticeKind.ACCEPTED}))
    assert tray_notices.candidate(event("prescription_accepted"), user(), off) is None
    incident = event("incident_reported", None, incident_id=8, network_ids=[2, 5])
    assert tray_notices.candidate(incident, user(), on) is None  # an operator does not read them
    assert tray_notices.candidate(incident, user(Role.SUPERVISOR, [7]), on) is None  # not my network
    assert tray_notices.candidate(incident, user(Role.SUPERVISOR, [5]), on) is NoticeKind.INCIDENT
    assert tray_notices.candidate(event("prescription_accepted"), user(Role.PROFESSIONAL), on) is None
    late = NOW + tray_notices.FRESH_FOR + timedelta(seconds=1)
    assert tray_notices.candidate(event("prescription_accepted"), user(), on, late) is None  # backlog
    assert tray_notices.candidate(event("prescription_accepted"), user(), on, NOW) is NoticeKind.ACCEPTED


def view(**changes: Any) -> PrescriptionView:
    values: dict[str, Any] = {
        "id": 11, "case_id": 4, "case_number": "1204", "round": 1, "state": "accepted",
        "state_label": "Accepté", "profession_code": "60", "profession": "Infirmier",
        "care_type": "Pansement", "care_mode": "visit", "network_id": None, "intervention_at": None,
        "intervention_tz": None, "intervention_delay_minutes": 60, "days": 1, "visits_per_day": 1,
        "response_delay_minutes": 30, "comment": "", "sent_at": NOW, "deadline_at": NOW,
        "priority_until": None, "notified_count": 3, "accepted_by": PersonRef(id=9, name="DURAND Paul"),
        "accepted_at": NOW, "started_at": None, "finished_at": None, "closed_at": None, "report": None,
        "cancel_reason": None, "requester": {}, "caller": None,
        "area": {"age": 80, "sex": "F", "commune": "Évry", "postal_code": "91000",
                 "approx_latitude": 48.6, "approx_longitude": 2.4},
        "patient": None, "anonymised": False,
    }  # fmt: skip
    values.update(changes)
    return PrescriptionView.model_validate(values)


class FakeSource:
    """The API's answers, scripted (the real one is tested in the GUI tests)."""

    def __init__(self, scopes: set[str], incidents: dict[int, IncidentOut] | None = None) -> None:
        self.scopes = scopes
        self.incidents = incidents or {}
        self.asked: list[str] = []

    async def prescription(self, prescription_id: int) -> PrescriptionView:
        self.asked.append(f"read {prescription_id}")
        return view(id=prescription_id)

    async def in_scope(self, case_id: int, case_number: str, scope: str) -> bool:
        self.asked.append(scope)
        return scope in self.scopes

    async def incident(self, incident_id: int) -> IncidentOut | None:
        return self.incidents.get(incident_id)


@pytest.mark.parametrize(
    ("role", "scopes", "notified", "asked"),
    [
        (Role.OPERATOR, {"mine"}, True, ["read 11", "mine"]),
        (Role.OPERATOR, {"supervised"}, False, ["read 11", "mine"]),
        (Role.SUPERVISOR, {"supervised"}, True, ["read 11", "mine", "supervised"]),
        (Role.SUPERVISOR, set(), False, ["read 11", "mine", "supervised"]),
    ],
)
def test_a_request_is_notified_only_within_my_scope(
    role: Role, scopes: set[str], notified: bool, asked: list[str]
) -> None:
    source = FakeSource(scopes)
    decider = NoticeDecider(source, user(role), NoticeSwitches(), lambda: NOW)
    notice = asyncio.run(decider.decide(event("prescription_accepted")))
    assert (notice is not None) is notified
    assert source.asked == asked
    if notice is not None:
        assert notice.title == "Fiche #1204 : demande acceptée"
        assert notice.message == "Infirmier — Pansement, acceptée par DURAND Paul"


def test_expired_and_incident_notices() -> None:
    source = FakeSource(
        {"mine"},
        {
            8: IncidentOut(
                id=8,
                text="Patient absent au domicile " * 10,
                author=PersonRef(id=4, name="Opérateur Trois"),
                network_ids=[5],
                prescription_id=11,
                case_id=4,
                at=NOW,
            )
        },
    )
    supervisor = NoticeDecider(source, user(Role.SUPERVISOR, [5]), NoticeSwitches(), lambda: NOW)
    expired = asyncio.run(supervisor.decide(event("prescription_expired")))
    assert expired is not None
    assert expired.kind is NoticeKind.EXPIRED
    assert expired.message == "Infirmier — Pansement : aucun intervenant n'a accepté dans le délai"
    incident = asyncio.run(
        supervisor.decide(event("incident_reported", None, incident_id=8, network_ids=[5]))
    )
    assert incident is not None
    assert incident.incident_id == 8
    assert incident.title == "Incident signalé par Opérateur Trois (au sujet d'une fiche)"
    assert len(incident.message) == tray_notices.INCIDENT_TEXT_MAX
    assert incident.message.endswith("…")
    unknown = asyncio.run(
        supervisor.decide(event("incident_reported", None, incident_id=99, network_ids=[5]))
    )
    assert unknown is not None
    assert unknown.message == "Un incident a été signalé"


@pytest.mark.parametrize(
    ("role", "mine", "scopes", "asked", "notified"),
    [
        (Role.OPERATOR, True, set(), [], True),  # « Mes fiches »: nothing asked
        (Role.OPERATOR, False, {"mine"}, ["mine"], True),  # the board's read of it not done yet
        (Role.OPERATOR, False, {"supervised"}, ["mine"], False),  # another operator's request
        (Role.SUPERVISOR, False, set(), [], True),  # a supervisor's board: their scope only
    ],
)
def test_a_request_on_the_board_is_decided_without_reading_it(
    role: Role, mine: bool, scopes: set[str], asked: list[str], notified: bool
) -> None:
    source = FakeSource(scopes)
    row = tray_notices.KnownRequest(11, 4, "#1204", "Infirmier", "Injection", mine)
    decider = NoticeDecider(
        source, user(role), NoticeSwitches(), lambda: NOW, lambda pid: row if pid == 11 else None
    )
    notice = asyncio.run(decider.decide(event("prescription_accepted", accepted_by_name="MARTIN Léa")))
    assert source.asked == asked  # never a read of the request: no audit row for it
    assert (notice is not None) is notified
    if notice is not None:
        assert notice.title == "Fiche #1204 : demande acceptée"
        assert notice.message == "Infirmier — Injection, acceptée par MARTIN Léa"


def test_a_request_not_on_the_board_is_read_then_its_scope_asked() -> None:
    source = FakeSource({"mine"})
    decider = NoticeDecider(source, user(), NoticeSwitches(), lambda: NOW, lambda _pid: None)
    notice = asyncio.run(decider.decide(event("prescription_expired", 12)))
    assert source.asked == ["read 12", "mine"]
    assert notice is not None
    assert notice.title == "Fiche #1204 : demande expirée"
