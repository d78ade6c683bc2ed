"""The back office's calls (admin role), on `ApiClient.request`: users, professionals and their
« Profil Activité », networks with their counts, the audit trail (newest first, by pages) and its
CSV (bytes as the server wrote them: `;`-separated, UTF-8 with a BOM), the home page's counts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import TypeAdapter

from desktop.sync.client import ApiClient
from shared.schemas.admin import NetworkOut, PasswordLinkIssued, PracticeOut, ProfessionalOut, UserCreated
from shared.schemas.auth import UserOut
from shared.schemas.back_office import AdminUserOut, BackOfficeOverview, NetworkSummary
from shared.schemas.notify import DeliveryPage
from shared.schemas.professional import ProfileOut
from shared.schemas.registrations import RegistrationOut, Unblocked
from shared.schemas.system import AuditEntryOut

_USERS = TypeAdapter(list[AdminUserOut])
_PROFESSIONALS = TypeAdapter(list[ProfessionalOut])
_NETWORKS = TypeAdapter(list[NetworkSummary])
_AUDIT = TypeAdapter(list[AuditEntryOut])
_REGISTRATIONS = TypeAdapter(list[RegistrationOut])
AUDIT_PAGE = 200
STAFF_ROLES = ("operator", "secretary", "supervisor", "admin")


def _query(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v not in (None, "")}


class BackOfficeApi:
    def __init__(self, client: ApiClient) -> None:
        self.client = client

    # ---- users ------------------------------------------------------------------------------------
    async def users(self, q: str = "", roles: tuple[str, ...] = STAFF_ROLES) -> list[AdminUserOut]:
        """Each with `blocked_until` when the login throttle blocks it now."""
        response = await self.client.request(
            "GET", "/admin/users", params=_query({"q": q, "role": list(roles)})
        )
        return _USERS.validate_json(response.content)

    async def create_user(self, body: Mapping[str, Any]) -> UserCreated:
        """Without a password: the new account's one-time link (`password_link`) comes back."""
        response = await self.client.request("POST", "/admin/users", json=dict(body))
        return UserCreated.model_validate_json(response.content)

    async def patch_user(self, user_id: int, body: Mapping[str, Any]) -> UserOut:
        response = await self.client.request("PATCH", f"/admin/users/{user_id}", json=dict(body))
        return UserOut.model_validate_json(response.content)

    async def reset_password(self, user_id: int) -> PasswordLinkIssued:
        """The user's sessions end; she gets a one-time link to choose her password (issue 17)."""
        response = await self.client.request("POST", f"/admin/users/{user_id}/password-reset")
        return PasswordLinkIssued.model_validate_json(response.content)

    async def practice(self, user_id: int) -> PracticeOut:
        """A secretary's professionals (her practice)."""
        response = await self.client.request("GET", f"/admin/users/{user_id}/practice")
        return PracticeOut.model_validate_json(response.content)

    async def put_practice(self, user_id: int, body: Mapping[str, Any]) -> PracticeOut:
        response = await self.client.request("PUT", f"/admin/users/{user_id}/practice", json=dict(body))
        return PracticeOut.model_validate_json(response.content)

    # ---- professionals ----------------------------------------------------------------------------
    async def professionals(self, criteria: Mapping[str, Any], limit: int = 200) -> list[ProfessionalOut]:
        params = _query({**criteria, "limit": limit})
        response = await self.client.request("GET", "/admin/professionals", params=params)
        return _PROFESSIONALS.validate_json(response.content)

    async def professional(self, user_id: int) -> ProfessionalOut:
        response = await self.client.request("GET", f"/admin/professionals/{user_id}")
        return ProfessionalOut.model_validate_json(response.content)

    async def patch_professional(self, user_id: int, body: Mapping[str, Any]) -> ProfessionalOut:
        response = await self.client.request("PATCH", f"/admin/professionals/{user_id}", json=dict(body))
        return ProfessionalOut.model_validate_json(response.content)

    async def professional_profile(self, user_id: int) -> ProfileOut:
        response = await self.client.request("GET", f"/admin/professionals/{user_id}/profile")
        return ProfileOut.model_validate_json(response.content)

    async def put_professional_profile(self, user_id: int, body: Mapping[str, Any]) -> ProfileOut:
        path = f"/admin/professionals/{user_id}/profile"
        response = await self.client.request("PUT", path, json=dict(body))
        return ProfileOut.model_validate_json(response.content)

    # ---- networks ---------------------------------------------------------------------------------
    async def networks(self) -> list[NetworkSummary]:
        return _NETWORKS.validate_json((await self.client.request("GET", "/admin/networks")).content)

    async def create_network(self, name: str) -> NetworkOut:
        response = await self.client.request("POST", "/admin/networks", json={"name": name})
        return NetworkOut.model_validate_json(response.content)

    async def rename_network(self, network_id: int, name: str) -> NetworkOut:
        response = await self.client.request("PATCH", f"/admin/networks/{network_id}", json={"name": name})
        return NetworkOut.model_validate_json(response.content)

    # ---- audit trail ------------------------------------------------------------------------------
    async def audit_page(
        self, filters: Mapping[str, Any], before_id: int | None = None, limit: int = AUDIT_PAGE
    ) -> list[AuditEntryOut]:
        """Newest first; the next page is the one before the last id of this one."""
        params = _query({**filters, "order": "desc", "limit": limit, "before_id": before_id})
        return _AUDIT.validate_json((await self.client.request("GET", "/admin/audit", params=params)).content)

    async def audit_csv(self, filters: Mapping[str, Any]) -> bytes:
        return (await self.client.request("GET", "/admin/audit.csv", params=_query(filters))).content

    # ---- registrations (« Inscriptions à valider ») and unblocking -------------------------------
    async def registrations(self, status: str | None) -> list[RegistrationOut]:
        response = await self.client.request("GET", "/admin/registrations", params=_query({"status": status}))
        return _REGISTRATIONS.validate_json(response.content)

    async def registration(self, registration_id: int) -> RegistrationOut:
        response = await self.client.request("GET", f"/admin/registrations/{registration_id}")
        return RegistrationOut.model_validate_json(response.content)

    async def registration_document(self, registration_id: int) -> tuple[bytes, str]:
        """The pièce justificative's bytes and content type (the read is audited by the server)."""
        response = await self.client.request("GET", f"/admin/registrations/{registration_id}/document")
        return response.content, response.headers.get("content-type", "application/octet-stream")

    async def approve_registration(self, registration_id: int, body: Mapping[str, Any]) -> RegistrationOut:
        path = f"/admin/registrations/{registration_id}/approve"
        response = await self.client.request("POST", path, json=dict(body))
        return RegistrationOut.model_validate_json(response.content)

    async def reject_registration(self, registration_id: int, reason: str) -> RegistrationOut:
        path = f"/admin/registrations/{registration_id}/reject"
        response = await self.client.request("POST", path, json={"reason": reason})
        return RegistrationOut.model_validate_json(response.content)

    async def unblock(self, user_id: int) -> Unblocked:
        response = await self.client.request("POST", f"/admin/users/{user_id}/unblock")
        return Unblocked.model_validate_json(response.content)

    # ---- notification delivery log ----------------------------------------------------------------
    async def deliveries(self, filters: Mapping[str, Any], before_id: int | None = None) -> DeliveryPage:
        """Newest first; `next_before_id` names the next (older) page."""
        params = _query({**filters, "before_id": before_id})
        response = await self.client.request("GET", "/admin/deliveries", params=params)
        return DeliveryPage.model_validate_json(response.content)

    # ---- home -------------------------------------------------------------------------------------
    async def overview(self) -> BackOfficeOverview:
        response = await self.client.request("GET", "/admin/overview")
        return BackOfficeOverview.model_validate_json(response.content)
