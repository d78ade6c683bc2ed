"""Admitting a caller: their bearer token, then their role; a refused role is audited.

The JSON API's role guards and its WebSocket followers both come here (server/api/context.py,
server/api/routes/changes.py); another front end would too.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from server.db import Database
from server.errors import Forbidden, TokenRefused
from server.security.audit import Origin, record_audit
from server.security.principal import Principal
from server.security.tokens import token_holder
from shared.domain import Role

ROLE_REFUSED = "Accès refusé pour votre rôle"


def admit(
    db: Database,
    token: str | None,
    roles: Collection[Role],
    now: datetime,
    origin: Origin,
    **audited: Any,
) -> Principal:
    """The holder of `token` if their role is one of `roles`.

    Raises TokenRefused (no token, or not a valid one) or Forbidden (another role: audited with
    the allowed roles and `audited`, in a transaction of its own that commits before the raise).
    """
    if token is None:
        raise TokenRefused("not_authenticated", "Authentification requise")
    with db.session() as session:
        principal = Principal.of_holder(token_holder(session, token, now))
        allowed = principal.role in roles
        if not allowed:
            detail = {"allowed": sorted(r.value for r in roles), **audited}
            record_audit(session, now, origin, principal, "forbidden", status=403, **detail)
    if not allowed:
        raise Forbidden("forbidden", ROLE_REFUSED)
    return principal
