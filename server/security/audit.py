"""The audit trail's writer: who did what, from where, with which outcome (append-only table).

Entries are written with the transaction's commit, chained by hash (server/security/audit_chain.py);
a transaction rolled back writes none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from server.security.audit_chain import forget_pending, pending_rows, write_pending
from server.security.principal import Principal


@dataclass(frozen=True)
class Origin:
    """Where a request came from, as the audit trail records it (whatever the front end)."""

    method: str
    path: str
    client_ip: str | None
    client_agent: str | None


def record_audit(
    session: Session,
    at: datetime,
    origin: Origin,
    principal: Principal | None,
    action: str,
    *,
    patient_id: int | None = None,
    status: int = 200,
    **detail: Any,
) -> None:
    """One entry; without a principal, a `username` in `detail` is recorded as the username."""
    record_audits(session, at, origin, principal, action, [(patient_id, detail)], status)


def record_audits(
    session: Session,
    at: datetime,
    origin: Origin,
    principal: Principal | None,
    action: str,
    entries: list[tuple[int | None, dict[str, Any]]],
    status: int = 200,
) -> None:
    """One audit entry per (patient_id, detail) of one request, in one INSERT at commit."""
    rows = [
        {
            "at": at,
            "user_id": principal.id if principal else None,
            "username": principal.username if principal else detail.pop("username", None),
            "role": principal.role.value if principal else None,
            "action": action,
            "patient_id": patient_id,
            "method": origin.method,
            "path": origin.path[:300],
            "status": status,
            "client_ip": origin.client_ip,
            "client_agent": origin.client_agent,
            "detail": detail,
        }
        for patient_id, detail in entries
    ]
    pending_rows(session).extend(rows)


event.listen(Session, "before_commit", write_pending)
event.listen(Session, "after_rollback", forget_pending)
