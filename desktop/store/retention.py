"""How long the local store keeps patient data: only while the workstation needs it.

- **Unsent** (a draft, an item « En attente d'envoi » or « Échec de l'envoi »): kept whole, for as
  long as it takes — it exists nowhere else, and the operator resumes, resends or abandons it.
- **Sent**, the moment the server acknowledged it: everything the server now holds is erased — the
  wizard, the patient to create or patch (NIR, address, door code, phones), the usual
  professionals, the case itself (comments), a call record's numbers and names. What is left is the
  line of « Mes envois »: the state, the server's answer (case number, notified counts), the
  patient's id (« Nouveau déclenchement pour ce patient ») and a short ``summary`` (the patient's
  name) so that the operator still recognises the line.
- **That line**, ``SENT_LINE_GRACE`` after the acknowledgement: deleted. Twelve hours is one shift
  of a 24/7 hotline: the operator who sent the case can find it again until the end of their shift
  (« did that case leave? », a second case for the same patient); after that the board, which
  reads the server, is where a case is followed. The purge runs when the store opens and on every
  acknowledgement, so an idle workstation holds such lines until its next start or send.

Deleted content is overwritten (``PRAGMA secure_delete``), and the WAL, which may still hold the
pages as they were, is checkpointed and truncated after each erasure.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from desktop.store import schema
from desktop.store.outbox_item import parse_json

SENT_LINE_GRACE = timedelta(hours=12)
SENT = "sent"
CALL_RECORD = "call_record"


def summary_of(patient_create: dict[str, Any] | None, wizard: dict[str, Any] | None) -> str:
    """« DURAND Lucie »: who the item was for, from the patient it created or the wizard's search."""
    for source in (patient_create or {}, (wizard or {}).get("search") or {}):
        name = f"{source.get('last_name') or ''} {source.get('first_name') or ''}".strip()
        if name:
            return name
    return ""


def erase_sent_details(connection: Connection, item_id: int | None = None) -> int:
    """The sent items' patient details erased (``item_id``'s, or every sent item's not yet erased:
    a file from an older release); returns how many items were erased."""
    table = schema.outbox
    query = select(table.c.id, table.c.kind, table.c.case_body, table.c.patient_create, table.c.wizard).where(
        table.c.state == SENT, table.c.summary.is_(None)
    )
    if item_id is not None:
        query = query.where(table.c.id == item_id)
    rows = connection.execute(query).all()
    for row in rows:
        body = json.loads(row.case_body)
        kept = {"id": body.get("id")} if row.kind == CALL_RECORD else {}
        summary = (
            ""
            if row.kind == CALL_RECORD
            else summary_of(parse_json(row.patient_create), parse_json(row.wizard))
        )
        erased = {
            "summary": summary,
            "case_body": json.dumps(kept),
            "wizard": None,
            "patient_create": None,
            "patient_patch": None,
            "usual_professionals": None,
            "reason": None,
        }
        connection.execute(table.update().where(table.c.id == row.id).values(**erased))
    return len(rows)


def delete_old_sent_lines(connection: Connection, now: datetime | None = None) -> int:
    """The sent lines acknowledged more than ``SENT_LINE_GRACE`` before ``now`` deleted; returns
    how many. Nothing unsent is ever touched."""
    table = schema.outbox
    limit = (now or datetime.now(UTC)) - SENT_LINE_GRACE
    rows = connection.execute(select(table.c.id, table.c.updated_at).where(table.c.state == SENT)).all()
    old = [row.id for row in rows if datetime.fromisoformat(row.updated_at) < limit]
    if old:
        connection.execute(table.delete().where(table.c.id.in_(old), table.c.state == SENT))
    return len(old)


def checkpoint(connection: Connection) -> None:
    """The WAL copied into the file and emptied: the pages as they were before an erasure go."""
    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
