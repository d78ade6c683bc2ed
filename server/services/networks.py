"""Networks (CPTS) in the back office: the list with member counts, creation and renaming, audited."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from server.errors import Conflict, not_found
from server.models import Network, User, user_networks
from server.services import accounts
from server.services.acting import Acting
from shared.domain import Role
from shared.schemas.admin import NetworkCreate, NetworkOut
from shared.schemas.back_office import NetworkRename, NetworkSummary


def summaries(session: Session) -> list[NetworkSummary]:
    """Every network with its counts, by name (one grouped query)."""
    is_pro = case((User.role == Role.PROFESSIONAL.value, 1), else_=0)
    is_active = case((User.active.is_(True), 1), else_=0)
    counts = (
        select(
            user_networks.c.network_id,
            func.count(User.id),
            func.coalesce(func.sum(is_pro), 0),
            func.coalesce(func.sum(is_active), 0),
        )
        .join(User, User.id == user_networks.c.user_id)
        .group_by(user_networks.c.network_id)
    )
    by_network = {row[0]: (int(row[1]), int(row[2]), int(row[3])) for row in session.execute(counts)}
    return [
        NetworkSummary(
            id=n.id,
            name=n.name,
            members=by_network.get(n.id, (0, 0, 0))[0],
            professionals=by_network.get(n.id, (0, 0, 0))[1],
            active_members=by_network.get(n.id, (0, 0, 0))[2],
        )
        for n in session.scalars(select(Network).order_by(Network.name))
    ]


def create(acting: Acting, body: NetworkCreate) -> NetworkOut:
    with acting.transaction("admin_network_create") as tx:
        created = accounts.create_network(tx.session, body, acting.now)
        acting.audit(tx.session, "admin_network_create", status=201, network_id=created.id, name=created.name)
        return created


def rename(acting: Acting, network_id: int, body: NetworkRename) -> NetworkOut:
    with acting.transaction("admin_network_rename", network_id=network_id) as tx:
        network = tx.session.get(Network, network_id, with_for_update=True)
        if network is None:
            raise not_found("Réseau")
        same = accounts.network_by_name(tx.session, body.name)
        if same is not None and same.id != network.id:
            raise Conflict("network_exists", f"Le réseau « {body.name} » existe déjà")
        old = network.name
        network.name = body.name
        if old != body.name:
            acting.audit(
                tx.session, "admin_network_rename", network_id=network.id, changes={"name": [old, body.name]}
            )
        return NetworkOut(id=network.id, name=network.name)
