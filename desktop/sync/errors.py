"""What can go wrong talking to the server, each with the French sentence the operator reads."""

from __future__ import annotations

from typing import Any

UNREACHABLE = "Pas de connexion serveur : le serveur central est injoignable"


class ApiProblem(Exception):
    """Base of every failure of an API call; ``str()`` is the French message."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        code: str = "",
        field_errors: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.field_errors = field_errors or {}
        self.body = body or {}

    def __str__(self) -> str:
        return self.message


class ServerUnavailable(ApiProblem):
    """Nothing answered, or the server failed (5xx): try again later, nothing was refused."""


class SessionExpired(ApiProblem):
    """401: the token expired or was revoked; a new login is needed, nothing else is wrong."""


class RequestRefused(ApiProblem):
    """4xx other than 401: the server refused this request as it is (validation, conflict, rights)."""

    def full_message(self) -> str:
        """The detail, then one line per field (« Déclenchement 1 › Commentaire : … »)."""
        lines = [self.message]
        lines += [
            f"{label} : {text}" for label, text in self.field_errors.items() if text not in self.message
        ]
        return "\n".join(lines)
