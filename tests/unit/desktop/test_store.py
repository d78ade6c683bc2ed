"""The local store: schema versioning, drafts (resume after a crash), outbox states, feed position, cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from desktop.state.wizard.wizard import Wizard
from desktop.store import LocalStore, OutboxState
from desktop.store.schema import SCHEMA_VERSION
from tests.unit.desktop.conftest import ready_wizard

CASE = {"caller": {"name": "X"}, "requester": {"user_id": 1}, "patient_id": 0, "prescriptions": []}


def test_a_new_file_is_created_at_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "local.sqlite3"
    store = LocalStore(path)
    assert store.found_version == 0
    store.close()
    again = LocalStore(path)
    assert again.found_version == SCHEMA_VERSION
    again.close()


def test_a_file_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "local.sqlite3"
    LocalStore(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE meta SET value = '99' WHERE key = 'schema_version'"))
    engine.dispose()
    with pytest.raises(RuntimeError, match="plus récente"):
        LocalStore(path)


def test_autosaved_drafts_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "local.sqlite3"
    store = LocalStore(path)
    wizard = ready_wizard()
    wizard.add_listener(lambda w: store.save_draft(w.to_json()))
    wizard.set_prescription_field(0, "comment", "Tapé juste avant le crash")
    store.close()  # the process dies here; the file is all that is left
    reopened = LocalStore(path)
    drafts = reopened.drafts()
    assert len(drafts) == 1
    restored = Wizard.from_json(drafts[0])
    assert restored.qualification.prescriptions[0].comment == "Tapé juste avant le crash"
    assert restored.to_json() == wizard.to_json()
    reopened.delete_draft(wizard.draft_id)
    assert reopened.drafts() == []
    assert reopened.draft(wizard.draft_id) is None


def test_queuing_a_case_replaces_its_draft_atomically() -> None:
    store = LocalStore(None)
    wizard = ready_wizard()
    store.save_draft(wizard.to_json())
    item = store.outbox.enqueue(CASE, patient_id=3, draft_id=wizard.draft_id)
    assert store.drafts() == []
    assert (item.state, item.state.label, item.attempts) == (OutboxState.PENDING, "En attente d'envoi", 0)
    assert len(item.idempotency_key) == 36
    assert item.ready_body()["patient_id"] == 3


def test_outbox_item_life(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "l.sqlite3")
    outbox = store.outbox
    first = outbox.enqueue(
        CASE,
        patient_id=None,
        patient_create={"last_name": "A"},
        usual_professionals=[{"profession_code": "10", "rpps": "1"}],
    )
    second = outbox.enqueue(CASE, patient_id=5, patient_patch={"version": 1, "floor": "2"})
    assert first.idempotency_key != second.idempotency_key
    assert (first.usual_done, first.patient_patch_done, second.patient_patch_done) == (False, True, False)
    with pytest.raises(ValueError, match="patient does not exist"):
        first.ready_body()
    at = datetime.now(UTC) + timedelta(seconds=4)
    waiting = outbox.retry_later(first.id, "Pas de connexion serveur", at)
    assert (waiting.state, waiting.attempts, waiting.reason, waiting.next_attempt_at) == (
        OutboxState.PENDING,
        1,
        "Pas de connexion serveur",
        at,
    )
    created = outbox.patient_created(first.id, 77)
    assert (created.patient_id, created.patient_create) == (77, None)
    assert outbox.usual_professionals_sent(first.id).usual_done
    sent = outbox.mark_sent(first.id, {"number": "#30000001"})
    assert (sent.state.label, sent.result, sent.reason) == ("Envoyé", {"number": "#30000001"}, None)
    failed = outbox.mark_failed(second.id, "Version périmée")
    assert (failed.state.label, failed.reason) == ("Échec de l'envoi", "Version périmée")
    assert [i.id for i in outbox.pending()] == []
    assert outbox.requeue(second.id).state is OutboxState.PENDING
    assert [i.id for i in outbox.items()] == [first.id, second.id]
    with pytest.raises(ValueError, match="either"):
        outbox.enqueue(CASE, patient_id=None)


def test_feed_position_and_cache(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    store = LocalStore(path)
    assert store.feed_position() == 0
    store.set_feed_position(41)
    store.set_feed_position(42)
    store.set_feed_position(7, stream="offers")
    store.cache_put("communes:evry", [{"insee_code": "91228"}])
    store.close()
    store = LocalStore(path)
    assert (store.feed_position(), store.feed_position("offers")) == (42, 7)
    assert store.cache_get("communes:evry") == [{"insee_code": "91228"}]
    assert store.cache_get("communes:evry", max_age_seconds=-1) is None
    assert store.cache_get("nothing") is None
