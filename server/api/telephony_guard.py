"""Who may call the `/telephony/` routes: Kamailio and the queue holder, with the deployment's token.

Not a user session: the header `X-Centrale-Telephony-Token` must equal `CENTRALE_TELEPHONY_TOKEN`
(compared in constant time). A server without that setting has no such routes (404, as for any
unknown address); a wrong or missing token is a 401, counted with the other refusals
(server/api/refusal_counting.py). These routes are not audited per caller (there is no user): the
services write what the calls change, and the routes audit those writes as « telephony ».
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from server.api.context import AppState, app_state, origin_of
from server.errors import NotFound, Unauthenticated
from server.security.audit import record_audit

HEADER = "X-Centrale-Telephony-Token"
AUDIT_USERNAME = "telephony"


class TelephonyGuard:
    """Dependency of every `/telephony/` route (tests/unit/test_route_roles.py knows it)."""

    def __call__(self, request: Request) -> TelephonyCaller:
        state = app_state(request)
        expected = state.settings.telephony_token
        if not expected:
            raise NotFound("not_found", "Ressource introuvable")
        given = request.headers.get(HEADER, "")
        if not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8")):
            raise Unauthenticated("telephony_token_refused", "Jeton de téléphonie absent ou refusé")
        return TelephonyCaller(request, state)


class TelephonyCaller:
    def __init__(self, request: Request, state: AppState) -> None:
        self.request = request
        self.state = state

    def audit(self, session: Session, action: str, **detail: Any) -> None:
        at = self.state.clock.now()
        record_audit(session, at, origin_of(self.request), None, action, username=AUDIT_USERNAME, **detail)
