"""A professional's own side: their lists, offers, profile and availability (server/services/)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from server.api.context import Caller, RoleGuard
from server.api.routes.acting import acting
from server.services import my_cases, profile
from shared.domain import Role
from shared.schemas.admin import AvailabilityUpdate
from shared.schemas.dispatch import PrescriptionView
from shared.schemas.professional import MyCases, OffersCount, ProfileOut, ProfileUpdate, Section

router = APIRouter(prefix="/me", tags=["me"])
Responder = Annotated[Caller, Depends(RoleGuard(Role.PROFESSIONAL))]


@router.get("/cases", response_model=MyCases, summary="Mes listes de patients")
def cases(section: Section, caller: Responder) -> MyCases:
    """care: what I accepted and have not archived; coordination: the other prescriptions still in care
    of the episodes where I accepted one, and of the patients whose usual professional I am;
    requests: the cases I requested; archive: the series I ended. The latest 200, each read audited;
    `offers_count` is the header's badge."""
    return my_cases.my_cases(acting(caller), section)


@router.get("/offers", response_model=list[PrescriptionView], summary="Les demandes que je peux accepter")
def offers(caller: Responder) -> list[PrescriptionView]:
    """Anonymised (an area of about 2 km, age and sex), or in full with « Professionnel de santé
    habituel : <nom> » for a usual professional of the patient."""
    return my_cases.offers(acting(caller))


@router.get("/offers/count", response_model=OffersCount, summary="Nombre de demandes en attente de réponse")
def offers_count(caller: Responder) -> OffersCount:
    return OffersCount(count=my_cases.count(acting(caller)))


@router.get("/profile", response_model=ProfileOut, summary="Mon Profil Activité")
def read_profile(caller: Responder) -> ProfileOut:
    return profile.read(acting(caller))


@router.put("/profile", response_model=ProfileOut, summary="Modifier mon Profil Activité")
def update_profile(body: ProfileUpdate, caller: Responder) -> ProfileOut:
    """What is left out stays. Status or a pause of 1 to 48 h, notification hours per weekday
    (custom hours, off, or all day by default), care preferences (visits and/or office), radius,
    communes served and channels. Matching uses the change for the next request."""
    return profile.update(acting(caller), body)


@router.put("/availability", response_model=AvailabilityUpdate, summary="Mon statut (Profil Activité)")
def set_availability(body: AvailabilityUpdate, caller: Responder) -> AvailabilityUpdate:
    return profile.set_availability(acting(caller), body)
