"""The outbox: what waits for the server — cases « En attente d'envoi », each with its idempotency
key, and the call records of the call log — until the server has it; one pusher sends both
(``desktop.sync.outbox_pusher``).

A case item is the whole plan of one « Déclencher »: create (or patch) the patient, replace the
usual professionals, then ``POST /cases`` with the item's ``Idempotency-Key``. Each finished part is
recorded before the next starts (``patient_id`` once the patient exists…), so a retry resumes
where it stopped and the case itself can never be created twice.

A call record item is one finished call (``telephony.call_log``), ``POST /calls``: the server
upserts it by the record's id, so a record sent again updates the same call. A record queued
again while its item still waits (a case number added after the call) replaces the waiting one.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, select

from desktop.store import schema
from desktop.store.outbox_item import ItemKind, OutboxItem, OutboxState, json_text
from desktop.store.retention import checkpoint, delete_old_sent_lines, erase_sent_details

__all__ = ["ItemKind", "Outbox", "OutboxItem", "OutboxState", "content_of"]


class Outbox:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def enqueue(
        self,
        case_body: dict[str, Any],
        *,
        patient_id: int | None,
        patient_create: dict[str, Any] | None = None,
        patient_patch: dict[str, Any] | None = None,
        usual_professionals: list[dict[str, Any]] | None = None,
        call_record_id: str | None = None,
        draft_id: str | None = None,
        wizard: dict[str, Any] | None = None,
    ) -> OutboxItem:
        if (patient_id is None) == (patient_create is None):
            raise ValueError("either an existing patient or a patient to create")
        now = datetime.now(UTC).isoformat()
        row = {
            "idempotency_key": str(uuid.uuid4()),
            "draft_id": draft_id,
            "created_at": now,
            "updated_at": now,
            "state": OutboxState.PENDING.value,
            "attempts": 0,
            "patient_id": patient_id,
            "patient_create": json_text(patient_create),
            "patient_patch": json_text(patient_patch),
            "patient_patch_done": patient_patch is None,
            "usual_professionals": json_text(usual_professionals),
            "usual_done": usual_professionals is None,
            "case_body": json.dumps(case_body, ensure_ascii=False),
            "call_record_id": call_record_id,
            "acknowledged": False,
            "wizard": json_text(wizard),
        }
        with self._engine.begin() as connection:
            new_id = connection.execute(schema.outbox.insert().values(**row)).inserted_primary_key
            assert new_id is not None
            if draft_id is not None:  # the draft becomes this item in the same transaction
                connection.execute(schema.drafts.delete().where(schema.drafts.c.id == draft_id))
        return self.get(int(new_id[0]))

    def get(self, item_id: int) -> OutboxItem:
        with self._engine.connect() as connection:
            query = select(schema.outbox).where(schema.outbox.c.id == item_id)
            row = connection.execute(query).mappings().one()
        return OutboxItem.of(row)

    def find(self, item_id: int) -> OutboxItem | None:
        """The item, or None when it is gone (discarded)."""
        with self._engine.connect() as connection:
            query = select(schema.outbox).where(schema.outbox.c.id == item_id)
            row = connection.execute(query).mappings().first()
        return None if row is None else OutboxItem.of(row)

    def items(
        self, state: OutboxState | None = None, kind: ItemKind | None = ItemKind.CASE
    ) -> list[OutboxItem]:
        """The items in the order they were queued: the cases (« Mes envois »), or ``kind``'s, or
        every item (``kind`` None)."""
        query = select(schema.outbox).order_by(schema.outbox.c.id)
        if state is not None:
            query = query.where(schema.outbox.c.state == state.value)
        if kind is not None:
            query = query.where(schema.outbox.c.kind == kind.value)
        with self._engine.connect() as connection:
            return [OutboxItem.of(row) for row in connection.execute(query).mappings()]

    def failed_for_draft(self, draft_id: str) -> OutboxItem | None:
        """The refused item a reopened wizard came from (its draft id is the wizard's)."""
        query = select(schema.outbox).where(
            schema.outbox.c.draft_id == draft_id, schema.outbox.c.state == OutboxState.FAILED.value
        )
        with self._engine.connect() as connection:
            row = connection.execute(query.order_by(schema.outbox.c.id.desc())).mappings().first()
        return None if row is None else OutboxItem.of(row)

    def pending(self) -> list[OutboxItem]:
        """Everything waiting to be sent, cases and call records, in the order it was queued."""
        return self.items(OutboxState.PENDING, kind=None)

    def enqueue_call_record(self, record: dict[str, Any]) -> OutboxItem:
        """A finished call's record to send (its ``id`` is the server's upsert key); the same
        record still waiting is replaced by this newer one, never queued twice."""
        table = schema.outbox
        now = datetime.now(UTC).isoformat()
        text = json.dumps(record, ensure_ascii=False)
        waiting = select(table.c.id).where(
            table.c.kind == ItemKind.CALL_RECORD.value,
            table.c.call_record_id == record["id"],
            table.c.state == OutboxState.PENDING.value,
        )
        with self._engine.begin() as connection:
            found = connection.execute(waiting).first()
            if found is not None:
                item_id = int(found[0])
                newer = table.update().where(table.c.id == item_id).values(case_body=text, updated_at=now)
                connection.execute(newer)
            else:
                row = {
                    "kind": ItemKind.CALL_RECORD.value,
                    "idempotency_key": str(uuid.uuid4()),
                    "created_at": now,
                    "updated_at": now,
                    "state": OutboxState.PENDING.value,
                    "attempts": 0,
                    "patient_patch_done": True,
                    "usual_done": True,
                    "case_body": text,
                    "call_record_id": record["id"],
                    "acknowledged": False,
                }
                new_id = connection.execute(table.insert().values(**row)).inserted_primary_key
                assert new_id is not None
                item_id = int(new_id[0])
        return self.get(item_id)

    def call_record_sent(self, item_id: int, sent: dict[str, Any], result: dict[str, Any]) -> OutboxItem:
        """The server has the record ``sent``; a newer one queued meanwhile stays pending (next)."""
        table = schema.outbox
        same = (table.c.id == item_id) & (table.c.case_body == json.dumps(sent, ensure_ascii=False))
        return self._settle(item_id, same, result)

    def _settle(self, item_id: int, where: ColumnElement[bool], result: dict[str, Any]) -> OutboxItem:
        """Acknowledged by the server: sent, its patient details erased at once, and the sent lines
        past their grace deleted (``desktop.store.retention``)."""
        values = {
            "state": OutboxState.SENT.value,
            "result": json_text(result),
            "reason": None,
            "next_attempt_at": None,
            "updated_at": datetime.now(UTC).isoformat(),
        }
        with self._engine.begin() as connection:
            if connection.execute(schema.outbox.update().where(where).values(**values)).rowcount:
                erase_sent_details(connection, item_id)
                delete_old_sent_lines(connection)
        with self._engine.connect() as connection:
            checkpoint(connection)
        return self.get(item_id)

    def _update(self, item_id: int, **values: Any) -> OutboxItem:
        values["updated_at"] = datetime.now(UTC).isoformat()
        with self._engine.begin() as connection:
            connection.execute(schema.outbox.update().where(schema.outbox.c.id == item_id).values(**values))
        return self.get(item_id)

    def patient_created(self, item_id: int, patient_id: int) -> OutboxItem:
        return self._update(item_id, patient_id=patient_id, patient_create=None)

    def patient_patched(self, item_id: int) -> OutboxItem:
        return self._update(item_id, patient_patch_done=True)

    def usual_professionals_sent(self, item_id: int) -> OutboxItem:
        return self._update(item_id, usual_done=True)

    def mark_sent(self, item_id: int, result: dict[str, Any]) -> OutboxItem:
        return self._settle(item_id, schema.outbox.c.id == item_id, result)

    def mark_failed(self, item_id: int, reason: str) -> OutboxItem:
        return self._update(item_id, state=OutboxState.FAILED.value, reason=reason, next_attempt_at=None)

    def retry_later(self, item_id: int, reason: str, at: datetime) -> OutboxItem:
        item = self.get(item_id)
        attempts = item.attempts + 1
        return self._update(item_id, reason=reason, attempts=attempts, next_attempt_at=at.isoformat())

    def acknowledge_duplicates(self, item_id: int) -> OutboxItem:
        """« C'est un autre patient »: the operator looked at the look-alikes; create anyway."""
        item = self.get(item_id)
        if item.patient_create is None:
            raise ValueError("the patient already exists")
        body = {**item.patient_create, "acknowledge_duplicates": True}
        self._update(item_id, patient_create=json_text(body), acknowledged=True)
        return self.requeue(item_id)

    def use_existing_patient(self, item_id: int, patient_id: int) -> OutboxItem:
        """« C'est ce patient »: the case goes to a patient the server already has."""
        self._update(item_id, patient_id=patient_id, patient_create=None)
        return self.requeue(item_id)

    def note(self, item_id: int, reason: str) -> OutboxItem:
        """Why the item waits (e.g. a new login), without counting a try: nothing reached the server."""
        return self._update(item_id, reason=reason)

    def requeue(self, item_id: int) -> OutboxItem:
        """« Renvoyer » a failed item (after the operator fixed what the server refused elsewhere)."""
        return self._update(item_id, state=OutboxState.PENDING.value, next_attempt_at=None)

    def submit(
        self,
        case_body: dict[str, Any],
        *,
        patient_id: int | None,
        patient_create: dict[str, Any] | None = None,
        patient_patch: dict[str, Any] | None = None,
        usual_professionals: list[dict[str, Any]] | None = None,
        call_record_id: str | None = None,
        draft_id: str | None = None,
        wizard: dict[str, Any] | None = None,
    ) -> OutboxItem:
        """« Déclencher »: a new item, or — for a wizard reopened from a refused item (same draft
        id) — that item revised, so that one « Déclencher » never leaves two items."""
        failed = self.failed_for_draft(draft_id) if draft_id is not None else None
        if failed is not None:
            return self.revise(
                failed.id,
                case_body,
                patient_id=patient_id,
                patient_create=patient_create,
                patient_patch=patient_patch,
                usual_professionals=usual_professionals,
                wizard=wizard,
            )
        return self.enqueue(
            case_body,
            patient_id=patient_id,
            patient_create=patient_create,
            patient_patch=patient_patch,
            usual_professionals=usual_professionals,
            call_record_id=call_record_id,
            draft_id=draft_id,
            wizard=wizard,
        )

    def revise(
        self,
        item_id: int,
        case_body: dict[str, Any],
        *,
        patient_id: int | None,
        patient_create: dict[str, Any] | None = None,
        patient_patch: dict[str, Any] | None = None,
        usual_professionals: list[dict[str, Any]] | None = None,
        wizard: dict[str, Any] | None = None,
    ) -> OutboxItem:
        """A refused item corrected in the wizard, queued again (its draft goes, as on queuing).

        The idempotency key changes only when the content changed (the case, or which patient it
        is for): the same content keeps its key, so a case the server did create is never made
        twice. A patient this item already created stays (the reopened wizard shows it)."""
        if (patient_id is None) == (patient_create is None):
            raise ValueError("either an existing patient or a patient to create")
        item = self.get(item_id)
        if item.state is not OutboxState.FAILED:
            raise ValueError("only a refused item is revised")
        changed = content_of(case_body, patient_id, patient_create) != content_of(
            item.case_body, item.patient_id, item.patient_create
        )
        values: dict[str, Any] = {
            "idempotency_key": str(uuid.uuid4()) if changed else item.idempotency_key,
            "state": OutboxState.PENDING.value,
            "reason": None,
            "next_attempt_at": None,
            "patient_id": patient_id,
            "patient_create": json_text(patient_create),
            "patient_patch": json_text(patient_patch),
            "patient_patch_done": patient_patch is None,
            "usual_professionals": json_text(usual_professionals),
            "usual_done": usual_professionals is None,
            "case_body": json.dumps(case_body, ensure_ascii=False),
            "acknowledged": bool(patient_create and patient_create.get("acknowledge_duplicates")),
            "wizard": json_text(wizard),
            "updated_at": datetime.now(UTC).isoformat(),
        }
        with self._engine.begin() as connection:
            connection.execute(schema.outbox.update().where(schema.outbox.c.id == item_id).values(**values))
            if item.draft_id is not None:  # the reopened wizard's draft becomes the item again
                connection.execute(schema.drafts.delete().where(schema.drafts.c.id == item.draft_id))
        return self.get(item_id)

    def discard(self, item_id: int) -> None:
        """« Abandonner » a refused item (after the operator confirmed): nothing was created by it
        on the server but, perhaps, its patient."""
        item = self.get(item_id)
        if item.state is not OutboxState.FAILED:
            raise ValueError("only a refused item is discarded")
        with self._engine.begin() as connection:
            connection.execute(schema.outbox.delete().where(schema.outbox.c.id == item_id))


def content_of(
    case_body: dict[str, Any], patient_id: int | None, patient_create: dict[str, Any] | None
) -> dict[str, Any]:
    """What the idempotency key stands for: the case (its patient apart) and who the patient is."""
    case = {key: value for key, value in case_body.items() if key != "patient_id"}
    identity = None
    if patient_create is not None:
        identity = {k: v for k, v in patient_create.items() if k != "acknowledge_duplicates"}
    return {"case": case, "patient_id": patient_id, "patient": identity}
