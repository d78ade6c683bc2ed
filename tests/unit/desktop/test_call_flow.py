"""The call flow against a fake softphone: popup, identification, commands, call waiting, cases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.state.call_flow import CallFlow, CallPhase, CallView, OperatorState
from desktop.state.wizard.wizard import EntryPoint
from telephony.api import RejectCode, Softphone
from telephony.call_log import CallLog
from telephony.events import (
    CallDirection,
    CallEnded,
    CallerIdentified,
    CallMediaChanged,
    CallState,
    CallStateChanged,
    Candidate,
    EndCause,
    IdentificationOutcome,
    IncomingCall,
    MediaState,
)
from tests.support.desktop_phone import FakeSoftphone
from tests.unit.desktop.conftest import DOCTOR_RPPS

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
DOCTOR = Candidate("professional", f"rpps:{DOCTOR_RPPS}", "Claire Martin", "Médecin")
NURSE = Candidate("professional", "user:12", "Julie Bernard", "Infirmier")


def _incoming(call_id: int, number: str = "+33761717229", *, waiting: bool = False) -> IncomingCall:
    return IncomingCall(call_id, number, number, "", "centrale", f"sip-{call_id}", NOW, waiting)


def _identified(call_id: int, outcome: IdentificationOutcome, *candidates: Candidate) -> CallerIdentified:
    return CallerIdentified(call_id, "+33761717229", outcome, candidates, False, NOW)


def _ended(call_id: int, cause: EndCause = EndCause.COMPLETED) -> CallEnded:
    return CallEnded(call_id, CallDirection.INCOMING, cause, 200, "OK", 12.0, NOW)


def phase_of(flow: CallFlow, call_id: int) -> CallPhase:
    """Read through a call: mypy would keep the value narrowed by an earlier assert."""
    return flow.calls[call_id].phase


@pytest.fixture
def phone() -> FakeSoftphone:
    return FakeSoftphone()


@pytest.fixture
def call_log(tmp_path: Path) -> CallLog:
    return CallLog(tmp_path / "calls.sqlite3")


@pytest.fixture
def flow(phone: FakeSoftphone, call_log: CallLog) -> CallFlow:
    typed: Softphone = phone  # the fake satisfies the Protocol (checked by mypy)
    created = CallFlow(typed, call_log)
    created.attach()
    return created


def test_the_popup_shows_the_number_at_once_then_the_candidates(phone: FakeSoftphone, flow: CallFlow) -> None:
    changes: list[CallView | None] = []
    flow.on_change = changes.append
    phone.emit(_incoming(1))
    view = flow.calls[1]
    assert (view.phase, view.number, view.identity_line) == (
        CallPhase.RINGING,
        "+33761717229",
        "Recherche de l'appelant…",
    )
    assert view.record_id is not None  # the call log's record of this call
    assert flow.ringing() == [view]
    phone.emit(_identified(1, IdentificationOutcome.PENDING))
    assert view.identity_line == "Recherche de l'appelant…"
    phone.emit(_identified(1, IdentificationOutcome.IDENTIFIED, DOCTOR, NURSE))
    assert view.identity_line == "2 personnes sur ce numéro : choisissez"
    flow.choose_candidate(1, "user:12")
    assert view.identity_line == "Julie Bernard"
    phone.emit(_identified(1, IdentificationOutcome.PENDING))  # a late PENDING changes nothing
    assert view.candidates == (DOCTOR, NURSE)
    assert len(changes) == 5
    assert all(c is view for c in changes)


@pytest.mark.parametrize(
    ("outcome", "line"),
    [
        (IdentificationOutcome.UNKNOWN, "Numéro inconnu"),
        (IdentificationOutcome.FAILED, "Identification impossible"),
    ],
)
def test_unknown_or_failed_identification(
    phone: FakeSoftphone, flow: CallFlow, outcome: IdentificationOutcome, line: str
) -> None:
    phone.emit(_incoming(1))
    phone.emit(_identified(1, outcome))
    assert flow.calls[1].identity_line == line


async def test_answer_hold_mute_dtmf_transfer_hang_up(phone: FakeSoftphone, flow: CallFlow) -> None:
    phone.emit(_incoming(1))
    assert await flow.answer(1)
    phone.emit(CallStateChanged(1, CallState.CONFIRMED, 200, "OK"))
    assert (flow.calls[1].phase, flow.operator_state) == (CallPhase.ACTIVE, OperatorState.IN_CALL)
    assert await flow.hold(1)
    phone.emit(CallMediaChanged(1, MediaState.LOCAL_HOLD, False))
    assert flow.calls[1].phase is CallPhase.HELD
    assert await flow.unhold(1)
    phone.emit(CallMediaChanged(1, MediaState.ACTIVE, False))
    assert phase_of(flow, 1) is CallPhase.ACTIVE
    assert await flow.toggle_mute(1)
    phone.emit(CallMediaChanged(1, MediaState.ACTIVE, True))
    assert flow.calls[1].muted
    assert await flow.send_dtmf(1, "12#")
    assert await flow.transfer(1, "sip:secretariat@pbx")
    assert await flow.hang_up(1)
    assert phone.commands == [
        ("answer", 1),
        ("hold", 1),
        ("unhold", 1),
        ("set_muted", 1, True),
        ("send_dtmf", 1, "12#"),
        ("transfer", 1, "sip:secretariat@pbx"),
        ("hang_up", 1),
    ]
    phone.emit(_ended(1))
    assert flow.calls == {}
    assert flow.finished[-1].end_cause is EndCause.COMPLETED
    assert flow.operator_state is OperatorState.AFTER_CALL
    flow.set_operator_state(OperatorState.AVAILABLE)
    assert flow.operator_state.label == "Disponible"


async def test_reject_and_refused_commands(phone: FakeSoftphone, flow: CallFlow) -> None:
    phone.emit(_incoming(1))
    assert await flow.reject(1, RejectCode.DECLINE)
    assert phone.commands == [("reject", 1, RejectCode.DECLINE)]
    phone.emit(_ended(1, EndCause.REJECTED))
    assert flow.operator_state is OperatorState.AVAILABLE  # never answered: no post-call time
    phone.emit(_incoming(2))
    phone.refuse.add("answer")
    assert not await flow.answer(2)
    assert flow.message == "Commande refusée : answer"


async def test_a_second_call_while_busy_waits_and_answering_holds_the_first(
    phone: FakeSoftphone, flow: CallFlow
) -> None:
    phone.emit(_incoming(1))
    await flow.answer(1)
    phone.emit(CallStateChanged(1, CallState.CONFIRMED, 200, "OK"))
    phone.emit(_incoming(2, "+33199001234"))
    assert flow.calls[2].waiting
    assert flow.calls[2].phase is CallPhase.RINGING
    await flow.answer(2)
    assert phone.commands[-2:] == [("hold", 1), ("answer", 2)]
    phone.emit(CallMediaChanged(1, MediaState.LOCAL_HOLD, False))
    phone.emit(CallStateChanged(2, CallState.CONFIRMED, 200, "OK"))
    await flow.unhold(1)  # back to the first: the second goes on hold
    assert phone.commands[-2:] == [("hold", 2), ("unhold", 1)]


async def test_new_case_from_a_call_and_its_case_numbers_in_the_call_log(
    phone: FakeSoftphone, flow: CallFlow, call_log: CallLog
) -> None:
    phone.emit(_incoming(1))
    phone.emit(_identified(1, IdentificationOutcome.IDENTIFIED, DOCTOR))
    wizard = flow.new_case(1)
    assert wizard.entry is EntryPoint.CALL
    assert (wizard.caller.call_phone, wizard.caller.caller_name, wizard.caller.caller_rpps) == (
        "07 61 71 72 29",
        "Claire Martin",
        DOCTOR_RPPS,
    )
    record_id = flow.calls[1].record_id
    assert record_id is not None
    assert wizard.call_record_id == record_id
    flow.case_created(record_id, "#30000001")
    phone.emit(_ended(1))
    flow.case_created(record_id, "#30000002")  # sent after the call ended
    await asyncio.sleep(0)
    records = call_log.records()
    assert [(r["id"], r["case_numbers"]) for r in records] == [(record_id, ["#30000001", "#30000002"])]
    assert flow.finished[-1].case_numbers == ["#30000001", "#30000002"]


def test_a_patient_calling_is_not_taken_as_the_caller_professional(
    phone: FakeSoftphone, flow: CallFlow
) -> None:
    phone.emit(_incoming(1))
    phone.emit(
        _identified(1, IdentificationOutcome.IDENTIFIED, Candidate("patient", "patient:4", "M. Dupont"))
    )
    wizard = flow.new_case(1)
    assert (wizard.caller.call_phone, wizard.caller.caller_name) == ("07 61 71 72 29", "")
