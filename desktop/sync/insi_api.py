"""The INSi teleservice, through the server (server/insi/api.py says why the server calls it)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from desktop.sync.client import ApiClient
from shared.schemas.identity_evidence import InsiAvailability, InsiIdentityOut

_FOUND: TypeAdapter[InsiIdentityOut | None] = TypeAdapter(InsiIdentityOut | None)


async def insi_availability(client: ApiClient) -> InsiAvailability:
    """``GET /insi``: whether this deployment's server can ask the teleservice."""
    response = await client.request("GET", "/insi")
    return InsiAvailability.model_validate(response.json())


async def insi_search(client: ApiClient, query: dict[str, Any]) -> InsiIdentityOut | None:
    """``POST /insi/search``: the identity found (with the reference to cite), or None."""
    response = await client.request("POST", "/insi/search", json=query)
    return _FOUND.validate_python(response.json())
