"""« Messagerie » (issue 20): the routes of docs/messaging.md, typed with shared/schemas/messaging.py.

Built on ``ApiClient.request``: a refusal raises ``RequestRefused`` with the server's French detail
and its ``code`` (``thread_not_found``, ``not_a_participant``, ``patient_not_visible``…), no answer
raises ``ServerUnavailable``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter

from desktop.sync.client import ApiClient
from desktop.sync.uploads import Upload
from shared.schemas.messaging import (
    MESSAGES_PAGE_DEFAULT,
    MessageOut,
    MessagePage,
    MessagingSettingsIn,
    MessagingSettingsOut,
    RecipientOut,
    ThreadOut,
    ThreadPage,
    UnreadOut,
)

_RECIPIENTS = TypeAdapter(list[RecipientOut])


class MessagingApi:
    def __init__(self, client: ApiClient) -> None:
        self.client = client

    # ---- reads ------------------------------------------------------------------------------------
    async def recipients(
        self, query: str, *, patient_id: int | None = None, thread_id: int | None = None
    ) -> list[RecipientOut]:
        params: dict[str, Any] = {"q": query}
        if patient_id is not None:
            params["patient_id"] = patient_id
        if thread_id is not None:
            params["thread_id"] = thread_id
        response = await self.client.request("GET", "/messaging/recipients", params=params)
        return _RECIPIENTS.validate_python(response.json())

    async def threads(self, *, offset: int = 0, limit: int = 50, archived: bool = False) -> ThreadPage:
        params = {"offset": offset, "limit": limit, "archived": "true" if archived else "false"}
        return await self.client.get_model(ThreadPage, "/threads", **params)

    async def unread(self) -> UnreadOut:
        return await self.client.get_model(UnreadOut, "/threads/unread")

    async def thread(self, thread_id: int) -> ThreadOut:
        return await self.client.get_model(ThreadOut, f"/threads/{thread_id}")

    async def messages(
        self,
        thread_id: int,
        *,
        before: int | None = None,
        after: int | None = None,
        limit: int = MESSAGES_PAGE_DEFAULT,
    ) -> MessagePage:
        return await self.client.get_model(
            MessagePage, f"/threads/{thread_id}/messages", before=before, after=after, limit=limit
        )

    async def attachment(self, thread_id: int, attachment_id: int) -> bytes:
        response = await self.client.request("GET", f"/threads/{thread_id}/attachments/{attachment_id}")
        return response.content

    # ---- writes -----------------------------------------------------------------------------------
    async def start_thread(self, body: dict[str, Any], *, key: str) -> ThreadOut:
        """``body`` is a ``ThreadCreate`` as JSON (participants, subject, text, patient or request);
        ``key`` its ``Idempotency-Key`` (a retry with the same key starts nothing new)."""
        response = await self.client.request("POST", "/threads", json=body, headers={"Idempotency-Key": key})
        return ThreadOut.model_validate(response.json())

    async def post(self, thread_id: int, text: str, files: Sequence[Upload] = (), *, key: str) -> MessageOut:
        """A text message (JSON), or with 1–5 files a multipart form (``text`` + ``files``); ``key``
        its ``Idempotency-Key`` (a retry with the same key writes nothing new)."""
        path = f"/threads/{thread_id}/messages"
        headers = {"Idempotency-Key": key}
        if not files:
            response = await self.client.request("POST", path, json={"text": text}, headers=headers)
        else:
            parts = [("files", (f.filename, f.data, f.content_type)) for f in files]
            response = await self.client.request(
                "POST", path, data={"text": text}, files=parts, headers=headers
            )
        return MessageOut.model_validate(response.json())

    async def mark_read(self, thread_id: int, up_to_message_id: int) -> None:
        await self.client.request(
            "POST", f"/threads/{thread_id}/read", json={"up_to_message_id": up_to_message_id}
        )

    async def add_participants(self, thread_id: int, user_ids: Sequence[int]) -> ThreadOut:
        response = await self.client.request(
            "POST", f"/threads/{thread_id}/participants", json={"user_ids": list(user_ids)}
        )
        return ThreadOut.model_validate(response.json())

    async def leave(self, thread_id: int) -> ThreadOut:
        response = await self.client.request("POST", f"/threads/{thread_id}/leave")
        return ThreadOut.model_validate(response.json())

    # ---- the platform's retention (admin) ---------------------------------------------------------
    async def settings(self) -> MessagingSettingsOut:
        return await self.client.get_model(MessagingSettingsOut, "/admin/messaging-settings")

    async def put_settings(self, retention_days: int) -> MessagingSettingsOut:
        body = MessagingSettingsIn(retention_days=retention_days).model_dump(mode="json")
        response = await self.client.request("PUT", "/admin/messaging-settings", json=body)
        return MessagingSettingsOut.model_validate(response.json())
