"""A route's request as the use cases take it (server/services/acting.py)."""

from __future__ import annotations

from server.api.context import Caller, origin_of
from server.services.acting import Acting


def acting(caller: Caller) -> Acting:
    """Who calls, from where, and the server's time now."""
    return Acting(caller.state.db, caller.principal, origin_of(caller.request), caller.state.clock.now())
