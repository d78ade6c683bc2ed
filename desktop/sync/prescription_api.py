"""One prescription as its details window uses it: the view, who was notified, comments,
documents, incidents, and the actions (cancel, renew, comment, attach, report an incident).

Built on ``ApiClient.request``: failures raise ``ApiProblem`` with the server's French detail.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from desktop.sync.client import ApiClient
from desktop.sync.errors import ApiProblem
from desktop.sync.uploads import Upload
from shared.schemas.dispatch import NotificationView, PrescriptionView
from shared.schemas.exchanges import CommentOut, DocumentOut, IncidentOut
from shared.schemas.patients import TimelineEntry

_NOTIFICATIONS = TypeAdapter(list[NotificationView])
_COMMENTS = TypeAdapter(list[CommentOut])
_DOCUMENTS = TypeAdapter(list[DocumentOut])
_INCIDENTS = TypeAdapter(list[IncidentOut])
_TIMELINE = TypeAdapter(list[TimelineEntry])


@dataclass(frozen=True)
class PrescriptionDetails:
    """Everything the details window shows, read together."""

    prescription: PrescriptionView
    notifications: list[NotificationView]
    comments: list[CommentOut]
    documents: list[DocumentOut]
    incidents: list[IncidentOut]
    patient_timeline: list[TimelineEntry]


class PrescriptionApi:
    def __init__(self, client: ApiClient) -> None:
        self.client = client

    def _path(self, prescription_id: int, tail: str = "") -> str:
        return f"/prescriptions/{prescription_id}{tail}"

    async def _list(self, adapter: TypeAdapter[Any], path: str, **params: Any) -> Any:
        response = await self.client.request("GET", path, params=params or None)
        return adapter.validate_python(response.json())

    # ---- reads ------------------------------------------------------------------------------------
    async def get(self, prescription_id: int) -> PrescriptionView:
        return await self.client.get_model(PrescriptionView, self._path(prescription_id))

    async def notifications(self, prescription_id: int) -> list[NotificationView]:
        found: list[NotificationView] = await self._list(
            _NOTIFICATIONS, self._path(prescription_id, "/notifications")
        )
        return found

    async def comments(self, prescription_id: int) -> list[CommentOut]:
        found: list[CommentOut] = await self._list(_COMMENTS, self._path(prescription_id, "/comments"))
        return found

    async def documents(self, prescription_id: int) -> list[DocumentOut]:
        found: list[DocumentOut] = await self._list(_DOCUMENTS, self._path(prescription_id, "/documents"))
        return found

    async def incidents(self, prescription_id: int) -> list[IncidentOut]:
        found: list[IncidentOut] = await self._list(_INCIDENTS, "/incidents", prescription_id=prescription_id)
        return found

    async def patient_timeline(self, patient_id: int) -> list[TimelineEntry]:
        found: list[TimelineEntry] = await self._list(_TIMELINE, f"/patients/{patient_id}/timeline")
        return found

    async def details(self, prescription_id: int) -> PrescriptionDetails:
        view = await self.get(prescription_id)
        notifications, comments, documents, incidents = await asyncio.gather(
            self.notifications(prescription_id),
            self.comments(prescription_id),
            self.documents(prescription_id),
            self.incidents(prescription_id),
        )
        timeline: list[TimelineEntry] = []
        if view.patient is not None:
            try:
                timeline = await self.patient_timeline(view.patient.id)
            except ApiProblem as problem:
                if problem.status != 403:  # no right to the patient's file: the details go without it
                    raise
        return PrescriptionDetails(view, notifications, comments, documents, incidents, timeline)

    async def download(self, prescription_id: int, document_id: int) -> bytes:
        response = await self.client.request("GET", self._path(prescription_id, f"/documents/{document_id}"))
        return response.content

    # ---- actions ----------------------------------------------------------------------------------
    async def cancel(self, prescription_id: int, body: dict[str, Any]) -> PrescriptionView:
        response = await self.client.request("POST", self._path(prescription_id, "/cancel"), json=body)
        return PrescriptionView.model_validate(response.json())

    async def renew(self, prescription_id: int, body: dict[str, Any]) -> PrescriptionView:
        response = await self.client.request("POST", self._path(prescription_id, "/renew"), json=body)
        return PrescriptionView.model_validate(response.json())

    async def add_comment(self, prescription_id: int, body: dict[str, Any]) -> CommentOut:
        response = await self.client.request("POST", self._path(prescription_id, "/comments"), json=body)
        return CommentOut.model_validate(response.json())

    async def attach(self, prescription_id: int, attachment: Upload) -> DocumentOut:
        files = {"file": (attachment.filename, attachment.data, attachment.content_type)}
        response = await self.client.request("POST", self._path(prescription_id, "/documents"), files=files)
        return DocumentOut.model_validate(response.json())

    async def report_incident(self, body: dict[str, Any]) -> IncidentOut:
        response = await self.client.request("POST", "/incidents", json=body)
        return IncidentOut.model_validate(response.json())
