"""What the server refuses, said once for every front end (JSON API, pages, CLI, workers).

Services raise these; they know nothing of HTTP. Each error has a machine code (stable snake_case
English, for programs and tests), a French message (shown to the user, and `str(error)`), and
optional extra fields a client may act on (`patient_id` of the existing patient, `duplicates`,
`state`, `retry_after`…). The JSON API maps each kind to one HTTP status in one place
(server/api/errors.py); the CLI prints the message.
"""

from __future__ import annotations

from typing import Any

from shared.validation import ValidationFailure


class DomainError(Exception):
    """A refusal, with its machine code, its French message and its extra fields."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


class NotFound(DomainError):
    """What the request names does not exist (or is not for this caller to know of)."""


class Forbidden(DomainError):
    """The caller is known, but may not do this."""


class Conflict(DomainError):
    """The request is valid, but the current state refuses it (taken, already there, stale…)."""


class Invalid(DomainError):
    """The request's content is refused (a rule beyond its schema)."""

    @classmethod
    def of(cls, failure: ValidationFailure) -> Invalid:
        return cls(failure.code, failure.message)


class TooLarge(DomainError):
    """The content is bigger than allowed."""


class UnsupportedType(DomainError):
    """The content is of a kind the server does not take."""


class Unauthenticated(DomainError):
    """Who is asking could not be established (wrong credentials)."""


class TokenRefused(Unauthenticated):
    """The bearer token is missing, unknown, revoked or expired, or its user is deactivated."""


class RateLimited(DomainError):
    """Too many attempts: try again after `retry_after` seconds (also an extra field)."""

    def __init__(self, code: str, message: str, retry_after: int, **extra: Any) -> None:
        super().__init__(code, message, retry_after=retry_after, **extra)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """Something the server needs (its database) does not answer."""


def not_found(what: str) -> NotFound:
    """« <what> introuvable », the one wording of every missing thing."""
    return NotFound("not_found", f"{what} introuvable")
