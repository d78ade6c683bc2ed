"""The INSi teleservice, asked by the server for the desktop (server/insi/api.py says why)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from server.api.context import Caller, RoleGuard
from server.api.routes.acting import acting
from server.insi import teleservice_for
from server.security.principal import STAFF
from server.services.identity_vigilance import NO_TELESERVICE, search_insi
from shared.schemas.identity_evidence import InsiAvailability, InsiIdentityOut, InsiQuery

router = APIRouter(prefix="/insi", tags=["patients"])
Staff = Annotated[Caller, Depends(RoleGuard(*STAFF))]


@router.get("", response_model=InsiAvailability, summary="Le téléservice INSi est-il joignable d'ici ?")
def availability(caller: Staff) -> InsiAvailability:
    teleservice = teleservice_for(caller.state.settings.insi)
    if teleservice is None:
        return InsiAvailability(available=False, detail=NO_TELESERVICE)
    return InsiAvailability(available=True, detail=f"Téléservice INSi : {teleservice.name}")


@router.post("/search", response_model=InsiIdentityOut | None, summary="Rechercher l'INS par les traits")
def search(body: InsiQuery, caller: Staff) -> InsiIdentityOut | None:
    """The identity the teleservice found (kept, with its `reference` to cite when creating or changing
    the patient), or null when it found nobody; 503 `insi_unavailable` without a connection. Audited."""
    who = acting(caller)
    teleservice = teleservice_for(caller.state.settings.insi)
    with who.db.session() as session:
        found = search_insi(session, teleservice, body, who.principal, who.now)
        who.audit(
            session,
            "insi_search",
            found=found is not None,
            insi_reference=found.reference if found else None,
        )
        return found
