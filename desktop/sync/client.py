"""Async client of the central server's API (``/api/v1``), with typed results from shared/schemas."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from desktop.sync.errors import UNREACHABLE, ApiProblem, RequestRefused, ServerUnavailable, SessionExpired
from shared.schemas.auth import LoginResponse, UserOut
from shared.schemas.calls import CallRecordOut
from shared.schemas.directory import CommuneOut, DirectorySearchResult, PhoneLookup
from shared.schemas.dispatch import CaseCreated, ChangesPage, PrescriptionView
from shared.schemas.labels import field_label
from shared.schemas.patients import PatientOut, PatientSearchResult, UsualProfessionalOut

ModelT = TypeVar("ModelT", bound=BaseModel)
CLIENT_NAME = "centrale-desktop"
_COMMUNES = TypeAdapter(list[CommuneOut])
_PRESCRIPTIONS = TypeAdapter(list[PrescriptionView])
_USUALS = TypeAdapter(list[UsualProfessionalOut])
_CALLS = TypeAdapter(list[CallRecordOut])


def _problem(response: httpx.Response) -> ApiProblem:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    detail = str(body.get("detail") or f"Erreur {response.status_code} du serveur")
    code = str(body.get("code") or "")
    fields: dict[str, str] = {}
    for error in body.get("errors") or []:
        path = [p for p in str(error.get("field", "")).split(".") if p and p != "body"]
        label = field_label([int(p) if p.isdigit() else p for p in path]) if path else ""
        fields[label or "?"] = str(error.get("message", ""))
    status = response.status_code
    if status == 401 and response.request.url.path.endswith("/auth/login"):
        return RequestRefused(detail, status=status, code=code, body=body)  # wrong password: no session
    if status == 401:
        return SessionExpired(detail, status=status, code=code, body=body)
    if status in (408, 429):  # too early or too slow: nothing was refused, try again later
        retry = response.headers.get("Retry-After", "")
        wait = f" (dans {retry} s)" if retry.isdigit() else ""
        return ServerUnavailable(
            f"{detail} : nouvel essai plus tard{wait}", status=status, code=code, body=body
        )
    if status >= 500:
        return ServerUnavailable(
            f"Le serveur central a rencontré une erreur ({status}) : réessai plus tard",
            status=status,
            code=code,
            body=body,
        )
    return RequestRefused(detail, status=status, code=code, field_errors=fields, body=body)


class ApiClient:
    def __init__(
        self,
        server_url: str,
        *,
        token: str | None = None,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        self.token = token
        self.user: UserOut | None = None
        self._http = httpx.AsyncClient(
            base_url=f"{self.server_url}/api/v1",
            timeout=timeout,
            transport=transport,
            headers={"X-Centrale-Client": CLIENT_NAME},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]]
        | Sequence[tuple[str, tuple[str, bytes, str]]]
        | None = None,
        data: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One call to the API (path under /api/v1); an error status raises ``ApiProblem`` (French
        ``detail``), no answer raises ``ServerUnavailable``. Feature modules (board, patients,
        supervision) build on this rather than growing this class."""
        sent = dict(headers or {})
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        try:
            response = await self._http.request(
                method, path, params=params, json=json, headers=sent, files=files, data=data
            )
        except (httpx.TransportError, OSError) as exc:
            raise ServerUnavailable(UNREACHABLE) from exc
        if response.status_code >= 400:
            raise _problem(response)
        return response

    async def get_model(self, model: type[ModelT], path: str, **params: Any) -> ModelT:
        query = {k: v for k, v in params.items() if v not in (None, "")}
        return model.model_validate((await self.request("GET", path, params=query)).json())

    # ---- session ----------------------------------------------------------------------------------
    async def login(self, username: str, password: str) -> LoginResponse:
        self.token = None
        response = await self.request(
            "POST", "/auth/login", json={"username": username, "password": password}
        )
        login = LoginResponse.model_validate(response.json())
        self.token, self.user = login.access_token, login.user
        return login

    async def me(self) -> UserOut:
        return await self.get_model(UserOut, "/auth/me")

    async def logout(self) -> None:
        await self.request("POST", "/auth/logout")
        self.token = None

    async def health(self) -> dict[str, Any]:
        result: dict[str, Any] = (await self.request("GET", "/health")).json()
        return result

    # ---- patients -----------------------------------------------------------------------------------
    async def search_patients(self, **criteria: str) -> PatientSearchResult:
        return await self.get_model(PatientSearchResult, "/patients", **criteria)

    async def get_patient(self, patient_id: int) -> PatientOut:
        return await self.get_model(PatientOut, f"/patients/{patient_id}")

    async def create_patient(self, body: Mapping[str, Any]) -> PatientOut:
        response = await self.request("POST", "/patients", json=dict(body))
        return PatientOut.model_validate(response.json())

    async def patch_patient(self, patient_id: int, body: Mapping[str, Any]) -> PatientOut:
        response = await self.request("PATCH", f"/patients/{patient_id}", json=dict(body))
        return PatientOut.model_validate(response.json())

    async def put_usual_professionals(
        self, patient_id: int, items: list[dict[str, Any]]
    ) -> list[UsualProfessionalOut]:
        response = await self.request("PUT", f"/patients/{patient_id}/usual-professionals", json=items)
        return _USUALS.validate_python(response.json())

    # ---- directory and places -----------------------------------------------------------------------
    async def search_directory(
        self, *, last_name: str = "", first_name: str = "", profession: str = "", limit: int = 20
    ) -> DirectorySearchResult:
        return await self.get_model(
            DirectorySearchResult,
            "/directory/professionals",
            last_name=last_name,
            first_name=first_name,
            profession=profession,
            limit=limit,
        )

    async def lookup_phone(self, phone: str) -> PhoneLookup:
        return await self.get_model(PhoneLookup, "/directory/lookup-phone", phone=phone)

    async def communes(self, query: str, limit: int = 20) -> list[CommuneOut]:
        response = await self.request("GET", "/geo/communes", params={"q": query, "limit": limit})
        return _COMMUNES.validate_python(response.json())

    # ---- cases and the board ------------------------------------------------------------------------
    async def create_case(self, body: Mapping[str, Any], idempotency_key: str) -> tuple[CaseCreated, bool]:
        """``POST /cases``; returns the answer and whether it was a replay of an earlier send."""
        response = await self.request(
            "POST", "/cases", json=dict(body), headers={"Idempotency-Key": idempotency_key}
        )
        replayed = response.headers.get("Idempotent-Replayed") == "true"
        return CaseCreated.model_validate(response.json()), replayed

    async def prescriptions(self, **filters: str) -> list[PrescriptionView]:
        query = {k: v for k, v in filters.items() if v}
        return _PRESCRIPTIONS.validate_python(
            (await self.request("GET", "/prescriptions", params=query)).json()
        )

    async def changes(self, after: int, limit: int = 500) -> ChangesPage:
        return await self.get_model(ChangesPage, "/changes", after=after, limit=limit)

    async def feed_head(self) -> int:
        """The last event's seq now (a follower that never ran starts there)."""
        return (await self.get_model(ChangesPage, "/changes/head")).last_seq

    def events_url(self, after: int) -> str:
        scheme, rest = self.server_url.split("://", 1)
        return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/api/v1/events?after={after}"

    # ---- calls --------------------------------------------------------------------------------------
    async def send_call_record(self, record: Mapping[str, Any]) -> CallRecordOut:
        """Upserted by the record's ``id``: sending a record again updates the same call."""
        response = await self.request("POST", "/calls", json=dict(record))
        return CallRecordOut.model_validate(response.json())

    async def calls(self, **filters: str) -> list[CallRecordOut]:
        """The call log (mine; every call for a supervisor): ``outcome``, ``since``, ``to_call_back``."""
        response = await self.request("GET", "/calls", params={k: v for k, v in filters.items() if v})
        return _CALLS.validate_python(response.json())
