"""Web Push subscriptions (the professionals' browsers) and the delivery log (admins, supervisors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from pydantic import AwareDatetime

from server.api.context import Caller, RoleGuard
from server.api.routes.acting import acting
from server.notify.wiring import Notifier
from server.services import delivery_log, push_subscriptions
from server.services.delivery_log import DeliveryFilter
from shared.domain import Role
from shared.schemas.notify import (
    DeliveryChannel,
    DeliveryPage,
    DeliveryStatus,
    PushPublicKey,
    PushSubscriptionIn,
    PushSubscriptionOut,
)

router = APIRouter(tags=["notifications"])
Anyone = Annotated[Caller, Depends(RoleGuard(*Role))]
Responder = Annotated[Caller, Depends(RoleGuard(Role.PROFESSIONAL))]
Admin = Annotated[Caller, Depends(RoleGuard(Role.ADMIN))]
Supervisor = Annotated[Caller, Depends(RoleGuard(Role.SUPERVISOR))]


@router.get("/push/public-key", response_model=PushPublicKey, summary="Clé publique VAPID (Web Push)")
def public_key(caller: Anyone) -> PushPublicKey:
    notifier: Notifier = caller.request.app.state.notifier
    return PushPublicKey(public_key=notifier.public_key())


@router.get(
    "/me/push-subscriptions", response_model=list[PushSubscriptionOut], summary="Mes appareils abonnés"
)
def my_subscriptions(caller: Responder) -> list[PushSubscriptionOut]:
    return push_subscriptions.mine(acting(caller))


@router.post(
    "/me/push-subscriptions",
    response_model=PushSubscriptionOut,
    status_code=201,
    summary="Abonner cet appareil aux notifications",
)
def subscribe(body: PushSubscriptionIn, caller: Responder) -> PushSubscriptionOut:
    """The browser's `PushSubscription.toJSON()`; the same endpoint again replaces its keys."""
    return push_subscriptions.subscribe(acting(caller), body)


@router.delete("/me/push-subscriptions/{subscription_id}", status_code=204, summary="Désabonner un appareil")
def unsubscribe(subscription_id: int, caller: Responder) -> Response:
    push_subscriptions.unsubscribe(acting(caller), subscription_id)
    return Response(status_code=204)


def _filter(
    user_id: int | None = None,
    channel: DeliveryChannel | None = None,
    status: DeliveryStatus | None = None,
    purpose: Annotated[str | None, Query(max_length=40)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    before_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveryFilter:
    return DeliveryFilter(user_id, channel, status, purpose, since, until, before_id, limit)


Filter = Annotated[DeliveryFilter, Depends(_filter)]


@router.get("/admin/deliveries", response_model=DeliveryPage, summary="Journal des envois de notifications")
def deliveries(caller: Admin, f: Filter) -> DeliveryPage:
    """Newest first; `next_before_id` gives the next page. Every row (registrants and médecins
    traitants without an account too)."""
    return delivery_log.read(acting(caller), f)


@router.get("/deliveries", response_model=DeliveryPage, summary="Journal des envois (mes réseaux)")
def supervised_deliveries(caller: Supervisor, f: Filter) -> DeliveryPage:
    """The same log, restricted to the professionals of the supervisor's networks."""
    return delivery_log.read(acting(caller), f)
