"""Communes from the local cache: fresh answers reused, stale ones only when the server is away."""

from __future__ import annotations

import pytest

from desktop.store import LocalStore
from desktop.sync.errors import ServerUnavailable
from desktop.sync.references import CachedReferences
from tests.support.desktop_server import FakeServer, ok, unreachable

pytestmark = pytest.mark.anyio
EVRY = {
    "insee_code": "91228",
    "name": "Évry-Courcouronnes",
    "postal_codes": ["91000"],
    "department": "91",
    "latitude": 48.6,
    "longitude": 2.4,
}


async def test_communes_are_cached_and_served_stale_when_offline() -> None:
    server, store = FakeServer(), LocalStore(None)
    references = CachedReferences(server.client(), store)
    server.script("GET /geo/communes", ok([EVRY]))
    assert [c.insee_code for c in await references.communes("Évry")] == ["91228"]
    assert [c.insee_code for c in await references.communes(" évry ")] == ["91228"]  # from the cache
    assert len(server.requests) == 1
    expired = CachedReferences(server.client(), store, max_age_seconds=-1)
    server.script("GET /geo/communes", unreachable, unreachable)
    assert [c.name for c in await expired.communes("Évry")] == ["Évry-Courcouronnes"]  # stale, but offline
    with pytest.raises(ServerUnavailable):
        await expired.communes("Youx")  # never asked before: nothing to show
