"""The hotline's « Professionnels » calls (issue 16): find a registered professional who phones in,
read their status and open offers, record their answer by phone, set their availability.

Built on ``ApiClient.request``: failures raise ``ApiProblem`` with the server's French detail
(``RequestRefused`` with its ``code``, e.g. ``state_accepted`` when someone accepted first).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import TypeAdapter

from desktop.sync.client import ApiClient
from shared.schemas.dispatch import PrescriptionView
from shared.schemas.hotline_professionals import ProfessionalStatus, ProfessionalSummary

_SUMMARIES = TypeAdapter(list[ProfessionalSummary])


class ProfessionalsApi:
    def __init__(self, client: ApiClient) -> None:
        self.client = client

    async def search(
        self, q: str, *, profession: str = "", commune: str = "", limit: int = 20
    ) -> list[ProfessionalSummary]:
        params = {"q": q, "profession": profession, "commune": commune, "limit": limit}
        response = await self.client.request(
            "GET", "/professionals", params={k: v for k, v in params.items() if v}
        )
        return _SUMMARIES.validate_python(response.json())

    async def status(self, user_id: int) -> ProfessionalStatus:
        return await self.client.get_model(ProfessionalStatus, f"/professionals/{user_id}")

    async def answer_for(self, prescription_id: int, user_id: int, *, accept: bool) -> PrescriptionView:
        """Accept (or decline) the offer for the professional on the phone."""
        action = "accept" if accept else "decline"
        body = {"on_behalf_of": user_id, "channel": "phone"}
        response = await self.client.request("POST", f"/prescriptions/{prescription_id}/{action}", json=body)
        return PrescriptionView.model_validate(response.json())

    async def set_availability(
        self, user_id: int, availability: str, unavailable_until: datetime | None = None
    ) -> ProfessionalStatus:
        body: dict[str, str] = {"availability": availability, "channel": "phone"}
        if unavailable_until is not None:
            body["unavailable_until"] = unavailable_until.isoformat()
        response = await self.client.request("PUT", f"/professionals/{user_id}/availability", json=body)
        return ProfessionalStatus.model_validate(response.json())
