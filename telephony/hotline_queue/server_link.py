"""What the queue holder asks the central server (``/api/v1/telephony/…``, the deployment's token)."""

from __future__ import annotations

from typing import Protocol

import httpx
from pydantic import ValidationError

from shared.schemas.hotline import CallEventIn, QueueOfferOut

TOKEN_HEADER = "X-Centrale-Telephony-Token"  # noqa: S105 - a header name, not a secret


class ServerUnavailable(RuntimeError):
    """The server did not answer, or answered something unexpected (French message)."""


class QueueServer(Protocol):
    async def next_offer(self) -> QueueOfferOut | None:
        """The oldest waiting caller and the operator reserved for them; None: nothing to offer."""

    async def tell(self, event: CallEventIn) -> None:
        """Reports what happened to a hotline call; raises ``ServerUnavailable`` when not taken."""


class HttpQueueServer:
    def __init__(self, base_url: str, token: str, timeout: float = 1.0) -> None:
        self._client = httpx.AsyncClient(
            base_url=f"{base_url.rstrip('/')}/api/v1/telephony",
            headers={TOKEN_HEADER: token, "X-Centrale-Client": "centrale-hotline-queue"},
            timeout=timeout,
        )

    async def next_offer(self) -> QueueOfferOut | None:
        try:
            response = await self._client.post("/queue/next")
        except httpx.HTTPError as exc:
            raise ServerUnavailable(f"Serveur injoignable : {exc}") from None
        if response.status_code == 204:
            return None
        if response.status_code != 200:
            raise ServerUnavailable(f"Le serveur a répondu {response.status_code} : {response.text[:200]}")
        try:
            return QueueOfferOut.model_validate(response.json())
        except (ValueError, ValidationError) as exc:
            raise ServerUnavailable(f"Réponse du serveur illisible : {exc}") from None

    async def tell(self, event: CallEventIn) -> None:
        body = event.model_dump(mode="json", exclude_none=True)
        try:
            response = await self._client.post("/events", json=body)
        except httpx.HTTPError as exc:
            raise ServerUnavailable(f"Serveur injoignable : {exc}") from None
        if not response.is_success:
            raise ServerUnavailable(f"Le serveur a refusé « {event.kind} » : {response.status_code}")

    async def close(self) -> None:
        await self._client.aclose()
