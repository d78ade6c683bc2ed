"""One outbox item as read from the local store (``desktop.store.outbox`` writes them)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import RowMapping


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"pending": "En attente d'envoi", "sent": "Envoyé", "failed": "Échec de l'envoi"}[self.value]


class ItemKind(StrEnum):
    CASE = "case"
    CALL_RECORD = "call_record"


def parse_json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    idempotency_key: str
    draft_id: str | None
    state: OutboxState
    reason: str | None
    attempts: int
    next_attempt_at: datetime | None
    patient_id: int | None
    patient_create: dict[str, Any] | None
    patient_patch: dict[str, Any] | None
    patient_patch_done: bool
    usual_professionals: list[dict[str, Any]] | None
    usual_done: bool
    case_body: dict[str, Any]
    call_record_id: str | None
    result: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime  # a sent item's: when the server acknowledged it
    acknowledged: bool  # the operator confirmed, from the outbox, that the patient is new
    wizard: dict[str, Any] | None = None  # the wizard as sent (``Wizard.to_json``), to reopen it
    kind: ItemKind = ItemKind.CASE  # a call record's JSON is in ``case_body``
    # a sent item's line once its details are erased (« DURAND Lucie »; desktop/store/retention.py)
    summary: str | None = None

    @classmethod
    def of(cls, row: RowMapping) -> OutboxItem:
        next_at = row["next_attempt_at"]
        return cls(
            id=row["id"],
            idempotency_key=row["idempotency_key"],
            draft_id=row["draft_id"],
            state=OutboxState(row["state"]),
            reason=row["reason"],
            attempts=row["attempts"],
            next_attempt_at=datetime.fromisoformat(next_at) if next_at else None,
            patient_id=row["patient_id"],
            patient_create=parse_json(row["patient_create"]),
            patient_patch=parse_json(row["patient_patch"]),
            patient_patch_done=bool(row["patient_patch_done"]),
            usual_professionals=parse_json(row["usual_professionals"]),
            usual_done=bool(row["usual_done"]),
            case_body=json.loads(row["case_body"]),
            call_record_id=row["call_record_id"],
            result=parse_json(row["result"]),
            created_at=datetime.fromisoformat(row["created_at"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
            acknowledged=bool(row["acknowledged"]),
            wizard=parse_json(row["wizard"]),
            kind=ItemKind(row["kind"]),
            summary=row["summary"],
        )

    def ready_body(self) -> dict[str, Any]:
        """The ``POST /cases`` body with the patient's id (known once the patient exists)."""
        if self.patient_id is None:
            raise ValueError("the patient does not exist yet")
        return {**self.case_body, "patient_id": self.patient_id}
