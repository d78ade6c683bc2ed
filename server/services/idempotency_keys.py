"""The `Idempotency-Key` a client sends so that a retry after an unanswered request is answered by
what the first try wrote instead of writing it twice (a case: server/services/cases.py; a message
or a new thread: server/services/messaging_messages.py)."""

from __future__ import annotations

from server.errors import Invalid

KEY_MAX = 100  # characters, as the routes' `Header(max_length=…)`


def checked_key(raw: str | None, per: str) -> str | None:
    """The key, or None when the client sent none; a blank key would be one key for every request.
    `per` names what one key stands for, in French (« fiche », « message »)."""
    if raw is not None and not raw.strip():
        raise Invalid(
            "idempotency_key_empty",
            f"L'en-tête Idempotency-Key est vide : omettez-le, ou donnez une clé unique (un UUID) par {per}",
        )
    if raw is not None and len(raw) > KEY_MAX:  # a route's header says so first; a form does not
        raise Invalid("idempotency_key_too_long", f"La clé d'idempotence dépasse {KEY_MAX} caractères")
    return raw
