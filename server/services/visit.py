"""A request from someone without an account (the enrolment form, « Mot de passe oublié »): from
where, when, and the address the links we send must point to.

The links' address is `CENTRALE_PUBLIC_URL` (e.g. https://centrale.example.org) when the
deployment sets it — it must, behind a proxy: otherwise the request's own scheme and host are
used, which a client chooses (fine on a workstation or the demo, not on the Internet).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from server.db import Database
from server.security.audit import Origin, record_audit


def public_url(request_base: str) -> str:
    configured = os.environ.get("CENTRALE_PUBLIC_URL", "").strip().rstrip("/")
    return configured or request_base.rstrip("/")


@dataclass(frozen=True)
class Visit:
    db: Database
    origin: Origin
    now: datetime
    public_url: str

    def audit(self, session: Session, action: str, *, status: int = 200, **detail: Any) -> None:
        """An entry without a principal (`username` in `detail` names who it concerns)."""
        record_audit(session, self.now, self.origin, None, action, status=status, **detail)
