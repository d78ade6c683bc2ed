"""Domain errors (server/errors.py) leave the JSON API with one status per kind and the usual shape."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from server import errors
from server.api.errors import install_error_handlers
from server.http_status import STATUS, http_status
from shared.validation import ValidationFailure


def _kinds(base: type[errors.DomainError] = errors.DomainError) -> set[type[errors.DomainError]]:
    found = set()
    for kind in base.__subclasses__():
        found |= {kind, *_kinds(kind)}
    return found


def _answer(error: errors.DomainError) -> tuple[int, dict[str, object], dict[str, str]]:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/refused")
    def refused() -> None:
        raise error

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/refused")

    response = asyncio.run(call())
    return response.status_code, response.json(), dict(response.headers)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.Unauthenticated("bad_credentials", "Identifiant ou mot de passe incorrect"), 401),
        (errors.Forbidden("forbidden", "Accès refusé pour votre rôle"), 403),
        (errors.not_found("Patient"), 404),
        (errors.Conflict("callback_taken", "Rappel déjà pris en charge"), 409),
        (errors.TooLarge("document_too_large", "Limitation à 2 Mo par fichier"), 413),
        (errors.UnsupportedType("unsupported_media_type", "Seuls les fichiers JPG, PNG et PDF"), 415),
        (errors.Invalid("too_many", "20 professionnels habituels au plus"), 422),
        (errors.Unavailable("database_unavailable", "Base de données injoignable"), 503),
    ],
)
def test_each_kind_has_its_status_and_the_usual_body(error: errors.DomainError, status: int) -> None:
    got_status, body, headers = _answer(error)
    assert got_status == status == http_status(error)
    assert body == {"detail": error.message, "code": error.code}
    assert "www-authenticate" not in headers
    assert "retry-after" not in headers


def test_extra_fields_sit_beside_detail_and_code() -> None:
    error = errors.Conflict("nir_exists", "Un patient avec ce NIR existe déjà", patient_id=12)
    status, body, _ = _answer(error)
    assert status == 409
    assert list(body) == ["detail", "code", "patient_id"]
    assert body == {"detail": "Un patient avec ce NIR existe déjà", "code": "nir_exists", "patient_id": 12}


def test_a_refused_token_asks_for_a_bearer_token() -> None:
    error = errors.TokenRefused("token_expired", "Session expirée : reconnectez-vous")
    status, body, headers = _answer(error)
    assert status == 401
    assert body == {"detail": "Session expirée : reconnectez-vous", "code": "token_expired"}
    assert headers["www-authenticate"] == "Bearer"


def test_rate_limited_says_when_to_retry_in_the_body_and_the_header() -> None:
    error = errors.RateLimited("login_blocked", "Trop d'essais : réessayez dans 30 s", retry_after=30)
    status, body, headers = _answer(error)
    assert status == 429
    assert body == {"detail": error.message, "code": "login_blocked", "retry_after": 30}
    assert headers["retry-after"] == "30"


def test_every_kind_of_domain_error_has_an_http_status() -> None:
    kinds = _kinds()
    assert kinds == {
        getattr(errors, name)
        for name in dir(errors)
        if isinstance(getattr(errors, name), type)
        and issubclass(getattr(errors, name), errors.DomainError)
        and getattr(errors, name) is not errors.DomainError
    }
    for kind in kinds:
        extra = {"retry_after": 1} if kind is errors.RateLimited else {}
        error = kind("code", "message", **extra)
        assert http_status(error) in STATUS.values()


def test_an_error_of_no_kind_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        http_status(errors.DomainError("code", "message"))


def test_a_domain_error_reads_as_its_french_message() -> None:
    error = errors.Invalid.of(ValidationFailure("nir_key", "Clé du NIR incorrecte"))
    assert (error.code, error.message) == ("nir_key", "Clé du NIR incorrecte")
    assert str(error) == "Clé du NIR incorrecte"
    assert errors.not_found("Demande").message == "Demande introuvable"
    assert isinstance(errors.not_found("Demande"), errors.NotFound)
