"""A call from ring to case: the call flow, the wizard, the outbox (cases and call records) and the
call log on a real server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.services.call_records import OutboxCallSink
from desktop.services.caller_lookup import ServerLookup
from desktop.state.call_flow import CallFlow
from desktop.state.wizard.wizard import EntryPoint
from desktop.store import LocalStore, OutboxState
from desktop.sync.client import ApiClient
from desktop.sync.outbox_pusher import OutboxPusher
from telephony.call_log import CallLog
from telephony.events import (
    CallDirection,
    CallEnded,
    CallState,
    CallStateChanged,
    EndCause,
    IdentificationOutcome,
    IncomingCall,
)
from telephony.screen_pop import ScreenPop
from tests.support.desktop import new_patient_wizard, operator_account, wait_until
from tests.support.desktop_phone import FakeSoftphone
from tests.support.live import LiveServer

pytestmark = pytest.mark.anyio


async def test_a_case_made_during_a_call_is_linked_to_its_record(
    shared_server: LiveServer, tmp_path: Path
) -> None:
    username, password, operator = operator_account(shared_server)
    store = LocalStore(tmp_path / "local.sqlite3")
    async with ApiClient(shared_server.process.base_url) as client:
        await client.login(username, password)
        # a known patient calls: the screen pop asks the server who has this number
        known = new_patient_wizard(operator).submission().patient_create
        assert known is not None
        patient = await client.create_patient(known)
        phone = FakeSoftphone()
        pusher = OutboxPusher(client, store.outbox)  # the cases and the call records
        sink = OutboxCallSink(store.outbox, pusher.wake)
        call_log = CallLog(tmp_path / "calls.sqlite3", sink, local_number=username)
        flow = CallFlow(phone, call_log)
        flow.attach()
        screen_pop = ScreenPop(ServerLookup(client), flow.on_event)
        phone.add_listener(screen_pop.on_event)
        started = datetime.now(UTC)
        phone.emit(IncomingCall(1, patient.phone, patient.phone, "", "centrale", "sip-1", started, False))
        await screen_pop.drain()
        view = flow.calls[1]
        assert view.identification is IdentificationOutcome.IDENTIFIED
        assert view.identity_line.startswith(patient.last_name)
        await flow.answer(1)
        phone.emit(CallStateChanged(1, CallState.CONFIRMED, 200, "OK"))

        # « Nouveau déclenchement » from the call (a patient calling is not the requester)
        wizard = flow.new_case(1)
        assert wizard.entry is EntryPoint.CALL
        filled = new_patient_wizard(operator)
        filled.call_record_id, filled.caller.call_phone = wizard.call_record_id, wizard.caller.call_phone
        submission = filled.submission()
        assert submission.call_record_id == view.record_id
        item = store.outbox.enqueue(
            submission.case,
            patient_id=None,
            patient_create=submission.patient_create,
            call_record_id=submission.call_record_id,
        )
        [sent] = (await pusher.push()).sent
        assert (sent.id, sent.state) == (item.id, OutboxState.SENT)
        assert sent.result is not None
        number = sent.result["number"]
        assert sent.call_record_id is not None
        flow.case_created(sent.call_record_id, number)

        phone.emit(
            CallEnded(
                1,
                CallDirection.INCOMING,
                EndCause.COMPLETED,
                200,
                "OK",
                30.0,
                started + timedelta(seconds=31),
            )
        )
        await wait_until(lambda: call_log.unsent() == [], what="the record sent")
        await pusher.push()  # the record went from the call log to the outbox, then to the server
        [record] = [r for r in await client.calls() if r.id == view.record_id]
        assert (record.case_numbers, record.outcome, record.identification) == (
            [number],
            "completed",
            "identified",
        )

        # a second case right after the call: the same record is sent again and updated
        flow.case_created(sent.call_record_id, "30999999")
        assert await call_log.flush() == 1
        await pusher.push()
        records = [r for r in await client.calls() if r.id == view.record_id]
        assert [r.case_numbers for r in records] == [[number, "30999999"]]
        await asyncio.sleep(0)
        call_log.close()
