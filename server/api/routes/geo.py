"""Commune autocomplete (bundled dataset, server/geo)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from server.api.context import Caller, RoleGuard
from server.errors import Invalid
from server.geo import commune_index
from server.security.principal import EVERYONE
from shared.schemas.directory import CommuneOut

router = APIRouter(prefix="/geo", tags=["geo"])
Anyone = Annotated[Caller, Depends(RoleGuard(*EVERYONE))]


@router.get("/communes", response_model=list[CommuneOut])
def communes(
    _caller: Anyone,
    q: str = Query(max_length=100),
    limit: int = Query(default=20, ge=1, le=100),
) -> list[CommuneOut]:
    if not q.strip():
        raise Invalid("query_empty", "Saisissez un nom de commune ou un code postal")
    return [
        CommuneOut(
            insee_code=c.insee_code,
            name=c.name,
            postal_codes=list(c.postal_codes),
            department=c.department,
            latitude=c.latitude,
            longitude=c.longitude,
        )
        for c in commune_index().search(q, limit)
    ]
