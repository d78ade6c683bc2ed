"""Reference data kept in the local cache: commune autocomplete works on a known query offline."""

from __future__ import annotations

from pydantic import TypeAdapter

from desktop.store.database import LocalStore
from desktop.sync.client import ApiClient
from desktop.sync.errors import ServerUnavailable
from shared.schemas.directory import CommuneOut

_COMMUNES = TypeAdapter(list[CommuneOut])
DAY = 24 * 3600.0


class CachedReferences:
    def __init__(self, client: ApiClient, store: LocalStore, *, max_age_seconds: float = DAY) -> None:
        self._client = client
        self._store = store
        self._max_age = max_age_seconds

    async def communes(self, query: str, limit: int = 20) -> list[CommuneOut]:
        """Fresh from the cache, else from the server; when the server is unreachable, an older
        answer to the same query is better than nothing (communes rarely change)."""
        key = f"communes:{limit}:{' '.join(query.lower().split())}"
        fresh = self._store.cache_get(key, self._max_age)
        if fresh is not None:
            return _COMMUNES.validate_python(fresh)
        try:
            found = await self._client.communes(query, limit)
        except ServerUnavailable:
            stale = self._store.cache_get(key)
            if stale is None:
                raise
            return _COMMUNES.validate_python(stale)
        self._store.cache_put(key, _COMMUNES.dump_python(found, mode="json"))
        return found
