"""The HTTP status of each kind of domain error (server/errors.py), for the server's two HTTP front
ends — the JSON API (server/api/errors.py) and the professionals' pages (server/web/errors.py) —
so that a refusal has the same status whichever of them shows it. Services never need it."""

from __future__ import annotations

from server.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthenticated,
    Unavailable,
    UnsupportedType,
)

STATUS: dict[type[DomainError], int] = {
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    UnsupportedType: 415,
    Invalid: 422,
    RateLimited: 429,
    Unavailable: 503,
}


def http_status(error: DomainError) -> int:
    """The status of the error's kind (its nearest class in STATUS); TypeError for a kind without one."""
    for kind in type(error).__mro__:
        status = STATUS.get(kind)
        if status is not None:
            return status
    raise TypeError(f"{type(error).__name__} has no HTTP status")
