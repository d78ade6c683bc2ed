"""The notification delivery log (« Journal des envois »): why someone was, or was not, reached.

Admins read every row; a supervisor reads the rows of the professionals of their networks. A row
holds what the channel carried — never more patient detail than that (offers name no patient in
SMS, e-mail or the stored text; a push payload that names the patient to their usual professional
is not returned here). Newest first, paged by `before_id`; each read is audited
(`delivery_log`, with the filters' names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select

from server.models import Delivery, User, user_networks
from server.services.acting import Acting
from server.services.visit import Visit
from shared.domain import Role
from shared.schemas.notify import DeliveryPage, DeliveryView

STATUS_LABELS = {
    "queued": "En attente d'envoi",
    "sent": "Envoyé",
    "failed": "Échec, nouvel essai prévu",
    "abandoned": "Abandonné",
    "suppressed": "Non envoyé",
}
MAX_LIMIT = 200


@dataclass(frozen=True)
class DeliveryFilter:
    user_id: int | None = None
    channel: str | None = None
    status: str | None = None
    purpose: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None
    limit: int = 50


def _filtered(query: Select[Delivery, str], f: DeliveryFilter) -> Select[Delivery, str]:
    if f.user_id is not None:
        query = query.where(Delivery.user_id == f.user_id)
    if f.channel is not None:
        query = query.where(Delivery.channel == f.channel)
    if f.status is not None:
        query = query.where(Delivery.status == f.status)
    if f.purpose is not None:
        query = query.where(Delivery.purpose == f.purpose)
    if f.since is not None:
        query = query.where(Delivery.created_at >= f.since)
    if f.until is not None:
        query = query.where(Delivery.created_at < f.until)
    if f.before_id is not None:
        query = query.where(Delivery.id < f.before_id)
    return query


def read(acting: Acting, f: DeliveryFilter) -> DeliveryPage:
    limit = max(1, min(f.limit, MAX_LIMIT))
    query = select(Delivery, User.display_name).outerjoin(User, User.id == Delivery.user_id)
    if acting.principal.role != Role.ADMIN:
        members = select(user_networks.c.user_id).where(
            user_networks.c.network_id.in_(acting.principal.network_ids or (-1,))
        )
        query = query.where(Delivery.user_id.in_(members))
    query = _filtered(query, f).order_by(Delivery.id.desc()).limit(limit + 1)
    with acting.db.session() as session:
        rows = list(session.execute(query))
        used = [name for name, value in vars(f).items() if value is not None and name != "limit"]
        acting.audit(session, "delivery_log", filters=used, count=min(len(rows), limit))
    items = [
        DeliveryView(
            id=d.id,
            channel=d.channel,
            purpose=d.purpose,
            user_id=d.user_id,
            user_name=name,
            recipient=d.recipient,
            subject=d.subject,
            text=d.text,
            status=d.status,
            status_label=STATUS_LABELS.get(d.status, d.status),
            reason=d.reason,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at,
            last_error=d.last_error,
            created_at=d.created_at,
            sent_at=d.sent_at,
            provider_message_id=d.provider_message_id,
            prescription_id=d.prescription_id,
        )
        for d, name in rows[:limit]
    ]
    return DeliveryPage(items=items, next_before_id=items[-1].id if len(rows) > limit else None)


def demo_messages(
    reader: Acting | Visit, limit: int = 100, channels: tuple[str, ...] = ("sms", "email", "mssante")
) -> list[Delivery]:
    """The demo's « Messages envoyés »: the SMS and e-mails the demo log backend kept, newest first
    (read by anyone in the demo, a registrant reading their code included; the read is audited)."""
    with reader.db.session() as session:
        rows = session.scalars(
            select(Delivery)
            .where(Delivery.channel.in_(channels), Delivery.status != "suppressed")
            .order_by(Delivery.id.desc())
            .limit(limit)
        )
        found = list(rows)
        reader.audit(session, "demo_messages", count=len(found))
        return found
