"""What the local store keeps on the workstation, for how long, and who may read it: a sent item's
patient details erased when the server acknowledged it, its line gone after the grace, nothing
unsent ever purged; the data directory 0700 and its files 0600, created so and tightened at start."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.settings import Settings
from desktop.store import LocalStore, OutboxState
from desktop.store.retention import SENT_LINE_GRACE
from desktop.store.schema import SCHEMA_VERSION
from telephony.call_log import HANDED_OVER_GRACE, CallLog
from tests.unit.telephony.test_call_log import answered_call

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX modes (Windows: the profile's ACL)")

NIR = "185057800608436"
DOOR_CODE = "B4712"
OLD_STORE = Path(__file__).parents[2] / "installers" / "local_store_v1.sql"
PATIENT = {
    "last_name": "DURAND",
    "first_name": "Lucie",
    "nir": NIR,
    "digicode": DOOR_CODE,
    "address_line": "12 rue des Lilas",
}
CASE = {"caller": {"name": "X"}, "prescriptions": [{"comment": "Code porte " + DOOR_CODE}]}
WIZARD = {"search": {"last_name": "DURAND", "first_name": "Lucie"}, "patient": {"nir": NIR}}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def on_disk(folder: Path) -> bytes:
    """Every byte the store left in its directory (main file, WAL, shared memory)."""
    return b"".join(p.read_bytes() for p in folder.iterdir() if p.is_file())


def sent_case(store: LocalStore) -> int:
    item = store.outbox.enqueue(CASE, patient_id=None, patient_create=PATIENT, wizard=WIZARD)
    store.outbox.patient_created(item.id, 41)
    store.outbox.mark_sent(item.id, {"case_id": 9, "number": "30000009", "prescriptions": []})
    return item.id


def test_the_directory_and_its_files_are_created_private(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "centrale"
    store = LocalStore(folder / "local-operateur.sqlite3")
    store.save_draft({"draft_id": "d1", "entry": "dashboard", "step": 0, "nir": NIR})
    assert mode(folder) == 0o700
    files = sorted(p.name for p in folder.iterdir())
    assert {"local-operateur.sqlite3", "local-operateur.sqlite3-wal"} <= set(files)
    assert {p.name: mode(p) for p in folder.iterdir()} == dict.fromkeys(files, 0o600)
    store.close()
    calls = CallLog(folder / "calls-operateur.sqlite3")
    calls.close()
    assert mode(folder / "calls-operateur.sqlite3") == 0o600


def test_looser_modes_found_at_start_are_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "centrale"
    LocalStore(folder / "local-operateur.sqlite3").close()
    CallLog(folder / "calls-operateur.sqlite3").close()
    folder.chmod(0o755)
    for path in folder.iterdir():
        path.chmod(0o644)
    store = LocalStore(folder / "local-operateur.sqlite3")
    assert mode(folder) == 0o700
    assert {mode(p) for p in folder.iterdir()} == {0o600}
    store.close()


def test_settings_are_written_private(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    path = Settings(username="operateur").save(folder)
    assert (mode(folder), mode(path)) == (0o700, 0o600)
    path.chmod(0o644)
    Settings(username="autre").save(folder)
    assert mode(path) == 0o600


def test_a_sent_case_keeps_no_patient_detail_only_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "centrale"
    store = LocalStore(folder / "local.sqlite3")
    item_id = sent_case(store)
    sent = store.outbox.get(item_id)
    assert sent.state is OutboxState.SENT
    assert (sent.result or {})["number"] == "30000009"
    assert sent.patient_id == 41  # « Nouveau déclenchement pour ce patient »
    assert (sent.wizard, sent.patient_create, sent.patient_patch, sent.usual_professionals) == (None,) * 4
    assert sent.case_body == {}
    assert sent.summary == "DURAND Lucie"  # the « Mes envois » line, for the grace
    store.close()
    raw = on_disk(folder)
    assert [secret for secret in (NIR, DOOR_CODE) if secret.encode() in raw] == []


def test_sent_lines_go_after_the_grace_unsent_items_never(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "local.sqlite3")
    sent_id = sent_case(store)
    pending = store.outbox.enqueue(CASE, patient_id=None, patient_create=PATIENT, wizard=WIZARD)
    refused = store.outbox.enqueue(CASE, patient_id=None, patient_create=PATIENT, wizard=WIZARD)
    store.outbox.mark_failed(refused.id, "Patient déjà connu")
    store.save_draft({"draft_id": "d1", "entry": "dashboard", "step": 0, "nir": NIR})
    acknowledged = store.outbox.get(sent_id).updated_at
    assert store.purge(acknowledged + SENT_LINE_GRACE - timedelta(minutes=1)) == 0
    assert store.outbox.find(sent_id) is not None  # still in « Mes envois »
    assert store.purge(acknowledged + SENT_LINE_GRACE + timedelta(minutes=1)) == 1
    assert store.outbox.find(sent_id) is None
    far = datetime.now(UTC) + timedelta(days=3650)
    assert store.purge(far) == 0
    kept = {i.id: i for i in store.outbox.items()}
    assert set(kept) == {pending.id, refused.id}
    assert all(i.patient_create == PATIENT and i.wizard == WIZARD for i in kept.values())
    assert [d["nir"] for d in store.drafts()] == [NIR]
    store.close()


def test_a_sent_call_record_keeps_only_its_id(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "local.sqlite3")
    record = {"id": "rec-1", "remote_number": "+33612345678", "identified": [{"display_name": "DURAND"}]}
    item = store.outbox.enqueue_call_record(record)
    sent = store.outbox.call_record_sent(item.id, record, {"id": "rec-1"})
    assert (sent.state, sent.case_body, sent.call_record_id) == (OutboxState.SENT, {"id": "rec-1"}, "rec-1")
    store.close()
    assert b"+33612345678" not in on_disk(tmp_path)


def old_store(folder: Path, sent_at: datetime) -> Path:
    """A version-1 file (what Centrale 0.1.0 wrote) holding a case sent long ago and one unsent,
    left world-readable in a world-readable directory."""
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    path = folder / "local-operateur.sqlite3"
    connection = sqlite3.connect(path)
    connection.executescript(OLD_STORE.read_text(encoding="utf-8"))
    insert = (
        "INSERT INTO outbox (idempotency_key, created_at, updated_at, state, attempts, patient_id, "
        "patient_create, patient_patch_done, usual_done, case_body, result, acknowledged) "
        "VALUES (?, ?, ?, ?, 0, ?, ?, 1, 1, ?, ?, 0)"
    )
    at = sent_at.isoformat()
    patient = json.dumps({"last_name": "DURAND", "first_name": "Lucie", "nir": NIR})
    case = json.dumps({"prescriptions": [{"comment": f"Code porte {DOOR_CODE}"}]})
    connection.execute(insert, ("k-sent", at, at, "sent", 41, None, case, '{"number": "30000001"}'))
    connection.execute(insert, ("k-unsent", at, at, "pending", None, patient, case, None))
    connection.commit()
    connection.close()
    path.chmod(0o644)
    return path


def test_an_old_store_is_migrated_tightened_and_purged(tmp_path: Path) -> None:
    folder = tmp_path / "centrale"
    path = old_store(folder, datetime(2026, 11, 27, 9, tzinfo=UTC))
    store = LocalStore(path)
    assert store.found_version == 1
    assert (mode(folder), mode(path)) == (0o700, 0o600)
    [unsent] = store.outbox.items()
    assert unsent.state is OutboxState.PENDING
    assert (unsent.patient_create or {})["nir"] == NIR  # unsent: kept whole
    assert [d["draft_id"] for d in store.drafts()] == ["00a9237e-1fd6-40ad-aafc-219c104b7a7e"]
    store.close()
    assert LocalStore(path).found_version == SCHEMA_VERSION
    with sqlite3.connect(path) as connection:
        states = [row[0] for row in connection.execute("SELECT state FROM outbox")]
    assert states == ["pending"]


def test_an_old_store_with_a_recent_sent_case_keeps_its_line_not_its_details(tmp_path: Path) -> None:
    folder = tmp_path / "centrale"
    path = old_store(folder, datetime.now(UTC) - timedelta(minutes=5))
    store = LocalStore(path)
    sent = [i for i in store.outbox.items() if i.state is OutboxState.SENT]
    assert [(i.case_body, i.patient_id, (i.result or {}).get("number")) for i in sent] == [
        ({}, 41, "30000001")
    ]
    store.close()
    assert DOOR_CODE.encode() in path.read_bytes()  # the unsent case keeps everything it needs
    store = LocalStore(path)
    [pending] = [i for i in store.outbox.items() if i.state is OutboxState.PENDING]
    store.outbox.patient_created(pending.id, 42)
    store.outbox.mark_sent(pending.id, {"case_id": 2, "number": "30000002", "prescriptions": []})
    store.close()
    raw = on_disk(folder)
    assert [secret for secret in (NIR, DOOR_CODE) if secret.encode() in raw] == []


class TakingSink:
    async def send(self, record: dict[str, object]) -> None:
        """Takes every record (as the desktop's outbox does)."""


def test_the_call_log_forgets_a_record_after_its_grace_never_an_unsent_one(tmp_path: Path) -> None:
    path = tmp_path / "calls.sqlite3"
    log = CallLog(path, TakingSink())
    answered_call(log)
    assert asyncio.run(log.flush()) == 1
    answered_call(log, call_id=2)  # not handed over yet
    now = datetime.now(UTC)
    assert log.forget_handed_over(now - HANDED_OVER_GRACE) == 0  # within the grace: kept
    assert log.forget_handed_over(now + timedelta(seconds=1)) == 1
    assert (len(log.records()), len(log.unsent())) == (1, 1)
    log.attach_case_after_call("forgotten-record", "30000001")  # no longer kept: nothing to add to
    log.close()
