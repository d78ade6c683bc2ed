"""Settling a refused outbox item: reopened with every field, revised (a new idempotency key only
when its content changed), or discarded; the store's migration that keeps the wizard."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from desktop.services.case_sender import reopen
from desktop.state.wizard.wizard import Step, Wizard
from desktop.store import LocalStore, OutboxState
from desktop.store.schema import SCHEMA_VERSION
from desktop.sync.outbox_pusher import OutboxPusher
from tests.support.desktop_server import FakeServer, error, ok, patient_answer
from tests.unit.desktop.conftest import ready_wizard

CASE = {"caller": {"name": "X"}, "requester": {"user_id": 1}, "patient_id": 0, "prescriptions": [{}]}
DUPLICATE = "Ce patient ressemble à un patient déjà enregistré : vérifiez avant de le créer"


def queued(store: LocalStore, wizard: Wizard) -> int:
    submission = wizard.submission()
    item = store.outbox.submit(
        submission.case,
        patient_id=submission.patient_id,
        patient_create=submission.patient_create,
        patient_patch=submission.patient_patch,
        draft_id=wizard.draft_id,
        wizard=wizard.to_json(),
    )
    return item.id


def test_an_unchanged_revision_keeps_its_key_a_changed_one_gets_a_new_one() -> None:
    store = LocalStore(None)
    wizard = ready_wizard()
    item_id = queued(store, wizard)
    item = store.outbox.get(item_id)
    assert item.wizard is not None
    assert item.wizard["draft_id"] == wizard.draft_id
    store.outbox.mark_failed(item_id, DUPLICATE)
    store.save_draft(wizard.to_json())  # the reopened wizard autosaves under the same draft id

    again = queued(store, wizard)  # same content (an acknowledgement is not content)
    assert again == item_id
    assert len(store.outbox.items()) == 1
    revised = store.outbox.get(item_id)
    assert (revised.state, revised.reason, revised.idempotency_key) == (
        OutboxState.PENDING,
        None,
        item.idempotency_key,
    )
    assert store.drafts() == []  # the draft became the item again

    store.outbox.mark_failed(item_id, DUPLICATE)
    wizard.set_prescription_field(0, "comment", "Pansement post-opératoire, matin et soir")
    queued(store, wizard)
    changed = store.outbox.get(item_id)
    assert changed.idempotency_key != item.idempotency_key
    assert changed.case_body["prescriptions"][0]["comment"].endswith("matin et soir")


def test_an_acknowledged_look_alike_is_sent_acknowledged() -> None:
    store = LocalStore(None)
    wizard = ready_wizard()
    item_id = queued(store, wizard)
    store.outbox.mark_failed(item_id, DUPLICATE)
    wizard.patient.acknowledge_duplicates = True  # « Ce patient n'est pas enregistré » with results shown
    queued(store, wizard)
    item = store.outbox.get(item_id)
    assert item.acknowledged
    assert item.patient_create is not None
    assert item.patient_create["acknowledge_duplicates"] is True


def test_only_a_refused_item_is_revised_or_discarded() -> None:
    store = LocalStore(None)
    item = store.outbox.enqueue(CASE, patient_id=3, draft_id="d1")
    with pytest.raises(ValueError, match="refused"):
        store.outbox.discard(item.id)
    with pytest.raises(ValueError, match="refused"):
        store.outbox.revise(item.id, CASE, patient_id=3)
    other = store.outbox.submit(CASE, patient_id=3, draft_id="d1")  # pending, not refused: a new item
    assert other.id != item.id
    store.outbox.mark_failed(item.id, "Refusé")
    assert store.outbox.failed_for_draft("d1") == store.outbox.get(item.id)
    store.outbox.discard(item.id)
    assert [i.id for i in store.outbox.items()] == [other.id]


def test_a_version_1_file_gains_the_wizard_column(tmp_path: Path) -> None:
    path = tmp_path / "local.sqlite3"
    LocalStore(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:  # back to what version 1 wrote
        connection.execute(text("ALTER TABLE outbox DROP COLUMN wizard"))
        connection.execute(text("UPDATE meta SET value = '1' WHERE key = 'schema_version'"))
        connection.execute(
            text(
                "INSERT INTO outbox (idempotency_key, created_at, updated_at, state, attempts, patient_id, "
                "patient_patch_done, usual_done, case_body, acknowledged) VALUES "
                "('k1', '2026-11-27T09:00:00+00:00', '2026-11-27T09:00:00+00:00', 'failed', 0, 3, 1, 1, "
                "'{}', 0)"
            )
        )
    engine.dispose()
    store = LocalStore(path)
    assert store.found_version == 1
    [item] = store.outbox.items()
    assert item.wizard is None  # an old item: discarded or resent, not reopened
    columns = {c["name"] for c in inspect(store.engine).get_columns("outbox")}
    assert "wizard" in columns
    store.close()
    assert LocalStore(path).found_version == SCHEMA_VERSION


@pytest.mark.anyio
async def test_reopened_after_a_refused_patient_on_the_search_with_the_look_alikes() -> None:
    server, store = FakeServer(), LocalStore(None)
    wizard = ready_wizard()
    item_id = queued(store, wizard)
    client = server.client()
    pusher = OutboxPusher(client, store.outbox)
    server.script("POST /patients", lambda _r: error(409, "possible_duplicates", DUPLICATE))
    report = await pusher.push()
    assert [i.reason for i in report.failed] == [DUPLICATE]
    match = {**patient_answer(41), "match": "exact", "reasons": [], "likely_duplicates": []}
    server.script("GET /patients", ok({"items": [match], "truncated": False}))
    reopened = await reopen(client, store.outbox.get(item_id))
    assert reopened.step is Step.SEARCH
    assert reopened.errors == {"server": DUPLICATE}
    assert [m.id for m in reopened.search.matches()] == [41]
    assert reopened.search.selected_patient_id is None
    assert not reopened.search.new_patient
    assert reopened.patient.address_line == wizard.patient.address_line  # every field kept
    assert reopened.qualification.prescriptions[0].comment == wizard.qualification.prescriptions[0].comment


@pytest.mark.anyio
async def test_reopened_after_a_refused_case_holds_the_patient_it_created() -> None:
    server, store = FakeServer(), LocalStore(None)
    item_id = queued(store, ready_wizard())
    client = server.client()
    pusher = OutboxPusher(client, store.outbox)
    server.script("POST /patients", ok(patient_answer(41), 201))
    server.script("POST /cases", lambda _r: error(422, "network_unknown", "Réseau inconnu : 9"))
    await pusher.push()
    failed = store.outbox.get(item_id)
    assert (failed.state, failed.patient_id, failed.patient_create) == (OutboxState.FAILED, 41, None)
    server.script("GET /patients/41", ok({**patient_answer(41), "commune_insee": "91228"}))
    server.script("GET /patients", ok({"items": [], "truncated": False}))
    reopened = await reopen(client, failed)
    assert reopened.step is Step.QUALIFICATION
    assert reopened.errors == {"server": "Réseau inconnu : 9"}
    assert reopened.patient.patient_id == 41  # never created a second time
    submission = reopened.submission()
    assert (submission.patient_id, submission.patient_create) == (41, None)
    again = store.outbox.submit(
        submission.case, patient_id=41, draft_id=reopened.draft_id, wizard=reopened.to_json()
    )
    assert again.id == item_id
    assert again.idempotency_key == failed.idempotency_key
    with pytest.raises(ValueError, match="only a refused item"):
        await reopen(client, again)  # pending: nothing to settle
