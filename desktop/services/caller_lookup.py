"""Screen pop lookups through the server: ``PhoneCandidate`` → ``telephony.events.Candidate``."""

from __future__ import annotations

from desktop.state.wizard.caller_step import RPPS_PREFIX, USER_PREFIX
from desktop.sync.client import ApiClient
from shared.schemas.directory import PhoneCandidate
from telephony.events import Candidate

PATIENT_PREFIX = "patient:"


def candidate_of(found: PhoneCandidate) -> Candidate:
    if found.kind == "patient" and found.patient_id is not None:
        key, kind = f"{PATIENT_PREFIX}{found.patient_id}", "patient"
    elif found.rpps:
        key, kind = f"{RPPS_PREFIX}{found.rpps}", "professional"
    else:
        key, kind = f"{USER_PREFIX}{found.user_id}", "professional"
    detail = ", ".join(part for part in (found.profession, found.site, found.commune) if part)
    profession = (found.profession or "") if kind == "professional" else ""
    return Candidate(kind=kind, id=key, display_name=found.display_name, detail=detail, profession=profession)


class ServerLookup:
    """The ``telephony.screen_pop.Lookup`` of the desktop."""

    def __init__(self, client: ApiClient) -> None:
        self._client = client

    async def __call__(self, number: str) -> list[Candidate]:
        answer = await self._client.lookup_phone(number)
        return [candidate_of(found) for found in answer.candidates]
