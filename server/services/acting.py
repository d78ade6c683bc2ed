"""Who acts, from where, at what time: what a use case needs to run, audit and refuse on its own.

Any front end (the JSON API, the professionals' pages) builds an `Acting` for a request and calls
the use cases with it; the use case opens its transactions, checks the rules and writes the audit
trail itself, so that no front end can forget an entry. A refusal (`Forbidden`) rolls back the
transaction it happened in, so `transaction` audits it afterwards in a transaction of its own,
with the patient concerned when the use case had found it (`Tx.patient_id`) — the patient's id is
never sent to the refused caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from server.db import Database
from server.errors import Forbidden
from server.security.audit import Origin, record_audit, record_audits
from server.security.principal import Principal


@dataclass
class Tx:
    """A use case's transaction; `patient_id` names the patient a refusal is audited against."""

    session: Session
    patient_id: int | None = None


@dataclass(frozen=True)
class Acting:
    db: Database
    principal: Principal
    origin: Origin
    now: datetime

    def audit(self, session: Session, action: str, **detail: Any) -> None:
        """One entry; `patient_id` and `status` (200 by default) as record_audit takes them."""
        record_audit(session, self.now, self.origin, self.principal, action, **detail)

    def audit_each(
        self, session: Session, action: str, entries: list[tuple[int | None, dict[str, Any]]]
    ) -> None:
        """One entry per (patient_id, detail), in one statement (a list of patients shown)."""
        if entries:
            record_audits(session, self.now, self.origin, self.principal, action, entries)

    @contextmanager
    def transaction(self, attempted: str, **detail: Any) -> Iterator[Tx]:
        """A unit of work; a Forbidden raised inside is audited (`forbidden`, 403, `attempted`,
        the refusal's code and `detail`) once the work is rolled back, then raised again."""
        tx: Tx | None = None
        try:
            with self.db.session() as session:
                tx = Tx(session)
                yield tx
        except Forbidden as refusal:
            patient_id = tx.patient_id if tx is not None else None
            with self.db.session() as session:
                self.audit(
                    session,
                    "forbidden",
                    patient_id=patient_id,
                    status=403,
                    attempted=attempted,
                    reason=refusal.code,
                    **detail,
                )
            raise
