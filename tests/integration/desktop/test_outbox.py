"""The outbox against real servers: sent once, queued while the server is down, paused on expiry."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.state.wizard.wizard import Wizard
from desktop.store import LocalStore, OutboxItem, OutboxState
from desktop.sync.client import ApiClient
from desktop.sync.errors import UNREACHABLE
from desktop.sync.outbox_pusher import LOGIN_REQUIRED, OutboxPusher
from tests.integration.conftest import start_live
from tests.support.desktop import new_patient_wizard, operator_account, wait_until
from tests.support.live import LiveServer

pytestmark = pytest.mark.anyio
TOKEN_TTL_SECONDS = 720 * 60


def _enqueue(store: LocalStore, wizard: Wizard) -> OutboxItem:
    """« Déclencher »: the submission becomes an outbox item, its draft goes."""
    store.save_draft(wizard.to_json())
    submission = wizard.submission()
    return store.outbox.enqueue(
        submission.case,
        patient_id=submission.patient_id,
        patient_create=submission.patient_create,
        patient_patch=submission.patient_patch,
        usual_professionals=submission.usual_professionals,
        call_record_id=submission.call_record_id,
        draft_id=wizard.draft_id,
    )


async def _cases_of(client: ApiClient, last_name: str) -> set[str]:
    """The case numbers the board shows for a patient."""
    return {p.case_number for p in await client.prescriptions(q=last_name)}


class Crash(Exception):
    """The desktop dies between the server's answer and the local mark."""


async def test_a_case_goes_through_the_outbox_once(
    shared_server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    username, password, operator = operator_account(shared_server)
    store = LocalStore(tmp_path / "local.sqlite3")
    async with ApiClient(shared_server.process.base_url) as client:
        await client.login(username, password)
        changes: list[OutboxState] = []
        pusher = OutboxPusher(client, store.outbox, on_change=lambda item: changes.append(item.state))
        wizard = new_patient_wizard(operator, comments=("Pansement", "Bilan sang"))
        item = _enqueue(store, wizard)
        assert store.drafts() == []

        # a crash between the server's answer and the local mark: the item is sent again
        def crash(_item_id: int, _result: object) -> OutboxItem:
            raise Crash

        with monkeypatch.context() as patch:
            patch.setattr(store.outbox, "mark_sent", crash)
            with pytest.raises(Crash):
                await pusher.push()
        assert store.outbox.get(item.id).state is OutboxState.PENDING
        first = await _cases_of(client, wizard.search.last_name)
        assert len(first) == 1  # the server made it before the crash

        report = await pusher.push()
        [sent] = report.sent
        assert sent.state is OutboxState.SENT
        assert sent.result is not None
        number = sent.result["number"]
        assert {number} == first  # the same case, replayed by its idempotency key
        assert [p["care_type"] for p in sent.result["prescriptions"]] == ["Pansement", "Pansement"]
        assert changes == [OutboxState.SENT]
        assert await _cases_of(client, wizard.search.last_name) == {number}
        assert (await pusher.push()).sent == []
        # acknowledged: the patient's details are no longer kept on the workstation
        assert (sent.case_body, sent.wizard, sent.patient_create) == ({}, None, None)


async def test_a_refused_case_is_marked_failed_with_the_server_message(
    shared_server: LiveServer, tmp_path: Path
) -> None:
    username, password, operator = operator_account(shared_server)
    store = LocalStore(tmp_path / "local.sqlite3")
    async with ApiClient(shared_server.process.base_url) as client:
        await client.login(username, password)
        pusher = OutboxPusher(client, store.outbox)
        refused = store.outbox.enqueue(new_patient_wizard(operator).case_body(0), patient_id=999_999_999)
        good = _enqueue(store, new_patient_wizard(operator))
        report = await pusher.push()
        assert [i.id for i in report.failed] == [refused.id]
        assert [i.id for i in report.sent] == [good.id]  # the next items went on
        failed = store.outbox.get(refused.id)
        assert failed.state is OutboxState.FAILED
        assert failed.reason is not None
        assert "atient" in failed.reason  # the server's French message about the patient


@pytest.fixture(params=["sqlite", "postgresql"])
def restartable_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    yield from start_live(request.param, tmp_path / f"server-{request.param}")


async def test_queued_while_the_server_is_down_then_created_exactly_once(
    restartable_server: LiveServer, tmp_path: Path
) -> None:
    live = restartable_server
    username, password, operator = operator_account(live)
    store = LocalStore(tmp_path / "local.sqlite3")
    async with ApiClient(live.process.base_url) as client:
        await client.login(username, password)
        pusher = OutboxPusher(client, store.outbox, backoff_start=30.0)
        live.process.stop()
        wizard = new_patient_wizard(operator)
        item = _enqueue(store, wizard)
        report = await pusher.push()
        assert report.sent == []
        [waiting] = report.waiting
        assert (waiting.state.label, waiting.attempts, waiting.reason) == (
            "En attente d'envoi",
            1,
            UNREACHABLE,
        )
        assert (await pusher.push()).waiting[0].attempts == 1  # not due yet: no new try
        # the loop keeps it; the server comes back and a wake-up sends it at once
        runner = asyncio.create_task(pusher.run())
        try:
            live.process.start()
            pusher.wake()
            await wait_until(lambda: store.outbox.get(item.id).state is OutboxState.SENT, 15, "the case sent")
        finally:
            runner.cancel()
        sent = store.outbox.get(item.id)
        assert sent.result is not None
        assert sent.patient_id is not None
        assert await _cases_of(client, wizard.search.last_name) == {sent.result["number"]}
        assert sent.case_body == {}  # acknowledged: its details are erased from the workstation
        # the same key again (a crash before the mark) replays, never a second case
        as_queued = {**item.case_body, "patient_id": sent.patient_id}
        created, replayed = await client.create_case(as_queued, sent.idempotency_key)
        assert (created.number, replayed) == (sent.result["number"], True)
        assert await _cases_of(client, wizard.search.last_name) == {sent.result["number"]}


async def test_an_expired_session_pauses_the_outbox_until_the_next_login(
    clock_server: LiveServer, tmp_path: Path
) -> None:
    username, password, operator = operator_account(clock_server)
    store = LocalStore(tmp_path / "local.sqlite3")
    asked: list[str] = []
    async with ApiClient(clock_server.process.base_url) as client:
        await client.login(username, password)
        pusher = OutboxPusher(client, store.outbox, on_login_required=asked.append)
        wizard = new_patient_wizard(operator)
        item = _enqueue(store, wizard)
        clock_server.advance(TOKEN_TTL_SECONDS + 60)
        report = await pusher.push()
        assert report.paused
        assert asked == [LOGIN_REQUIRED]
        assert [i.id for i in report.waiting] == [item.id]
        still = store.outbox.get(item.id)
        assert (still.state, still.reason) == (OutboxState.PENDING, LOGIN_REQUIRED)
        assert (await pusher.push()).paused  # nothing is tried while paused
        assert store.outbox.get(item.id).attempts == still.attempts
        async with ApiClient(clock_server.process.base_url) as relogin:
            token = (await relogin.login(username, password)).access_token
        pusher.resume(token)
        [sent] = (await pusher.push()).sent
        assert sent.id == item.id
        assert sent.result is not None
        assert await _cases_of(client, wizard.search.last_name) == {sent.result["number"]}
