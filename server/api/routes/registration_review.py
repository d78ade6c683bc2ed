"""The team's review of registrations (« Inscriptions à valider ») and unblocking an account the
login throttle blocked: admin role, every action audited (server/services/registration_review.py).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from server.api.context import Caller, RoleGuard
from server.api.routes.acting import acting
from server.http_download import file_download
from server.services import registration_review as review
from server.services.documents import EXTENSIONS
from server.services.visit import public_url
from shared.domain import Role
from shared.schemas.registrations import Approval, RegistrationOut, Rejection, Unblocked

router = APIRouter(prefix="/admin", tags=["enrolment"])
Admin = Annotated[Caller, Depends(RoleGuard(Role.ADMIN))]
StatusFilter = Literal["unverified", "to_review", "approved", "rejected"]


@router.get("/registrations", response_model=list[RegistrationOut])
def list_registrations(caller: Admin, status: StatusFilter | None = None) -> list[RegistrationOut]:
    return review.list_registrations(acting(caller), status)


@router.get("/registrations/{registration_id}", response_model=RegistrationOut)
def read_registration(registration_id: int, caller: Admin) -> RegistrationOut:
    return review.read_registration(acting(caller), registration_id)


@router.get(
    "/registrations/{registration_id}/document",
    response_class=Response,
    responses={200: {"content": {t: {} for t in EXTENSIONS}, "description": "La pièce justificative"}},
)
def read_document(registration_id: int, caller: Admin) -> Response:
    found = review.read_document(acting(caller), registration_id)
    return file_download(found.data, found.filename, found.content_type)


@router.post("/registrations/{registration_id}/approve", response_model=RegistrationOut)
def approve(registration_id: int, caller: Admin, body: Approval | None = None) -> RegistrationOut:
    login_url = f"{public_url(str(caller.request.base_url))}/pro/"
    return review.approve(acting(caller), registration_id, body or Approval(), login_url)


@router.post("/registrations/{registration_id}/reject", response_model=RegistrationOut)
def reject(registration_id: int, body: Rejection, caller: Admin) -> RegistrationOut:
    return review.reject(acting(caller), registration_id, body)


@router.post("/users/{user_id}/unblock", response_model=Unblocked)
def unblock(user_id: int, caller: Admin) -> Unblocked:
    return review.unblock(acting(caller), user_id)
