"""A professional's Web Push subscriptions: one per browser, replaced when the browser renews it.

The endpoint is unique: the same browser subscribing again (after a logout and another login,
or a renewed subscription) moves the row to the caller with the new keys, so a shared device
never pushes one professional's offers to another. Each change is audited (`push_subscribe`,
`push_unsubscribe`); nobody removes another's subscription (404, as for any id not theirs).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from server.errors import NotFound
from server.models import PushSubscription
from server.services.acting import Acting
from shared.schemas.notify import PushSubscriptionIn, PushSubscriptionOut


def _view(row: PushSubscription) -> PushSubscriptionOut:
    parts = urlsplit(row.endpoint)
    return PushSubscriptionOut(
        id=row.id,
        endpoint_origin=f"{parts.scheme}://{parts.netloc}",
        created_at=row.created_at,
        last_success_at=row.last_success_at,
        gone_at=row.gone_at,
    )


def subscribe(acting: Acting, body: PushSubscriptionIn) -> PushSubscriptionOut:
    with acting.transaction("push_subscribe") as tx:
        session = tx.session
        row = session.scalar(select(PushSubscription).where(PushSubscription.endpoint == body.endpoint))
        if row is None:
            row = PushSubscription(
                user_id=acting.principal.id,
                endpoint=body.endpoint,
                p256dh=body.keys.p256dh,
                auth=body.keys.auth,
                created_at=acting.now,
            )
            session.add(row)
        else:
            row.user_id, row.p256dh, row.auth = acting.principal.id, body.keys.p256dh, body.keys.auth
            row.gone_at, row.created_at = None, acting.now
        session.flush()
        acting.audit(session, "push_subscribe", subscription_id=row.id)
        return _view(row)


def mine(acting: Acting) -> list[PushSubscriptionOut]:
    with acting.db.session() as session:
        rows = session.scalars(
            select(PushSubscription)
            .where(PushSubscription.user_id == acting.principal.id, PushSubscription.gone_at.is_(None))
            .order_by(PushSubscription.id)
        )
        return [_view(row) for row in rows]


def unsubscribe(acting: Acting, subscription_id: int) -> None:
    with acting.transaction("push_unsubscribe") as tx:
        row = tx.session.get(PushSubscription, subscription_id)
        if row is None or row.user_id != acting.principal.id:
            raise NotFound("push_subscription_not_found", "Abonnement aux notifications introuvable.")
        tx.session.delete(row)
        acting.audit(tx.session, "push_unsubscribe", subscription_id=subscription_id)


def unsubscribe_endpoint(acting: Acting, endpoint: str) -> bool:
    """The web page's « désactiver » knows its endpoint, not the id."""
    with acting.transaction("push_unsubscribe") as tx:
        row = tx.session.scalar(
            select(PushSubscription).where(
                PushSubscription.endpoint == endpoint, PushSubscription.user_id == acting.principal.id
            )
        )
        if row is None:
            return False
        acting.audit(tx.session, "push_unsubscribe", subscription_id=row.id)
        tx.session.delete(row)
        return True
