"""The single exception type raised by every validator of :mod:`shared.validation`."""

from __future__ import annotations


class ValidationFailure(ValueError):
    """A value typed or read by a user was refused.

    ``code`` is a stable, machine-readable snake_case English identifier (for logs,
    API payloads and tests); ``message`` is the French sentence shown to the user,
    and is also what ``str(exc)`` returns.
    """

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def __reduce__(self) -> tuple[type[ValidationFailure], tuple[str, str]]:
        # Keeps the exception picklable (multiprocessing, caches) despite the 2-argument constructor.
        return (type(self), (self.code, self.message))
