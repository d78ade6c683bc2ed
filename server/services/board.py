"""The prescription board: which prescriptions a staff member sees, filtered."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.orm import Session

from server.api.context import Principal
from server.models import Case, Patient, Prescription, user_networks
from shared.domain import PrescriptionState, Role
from shared.validation import name_compact_key

Scope = Literal["mine", "supervised", "all"]
BOARD_LIMIT = 500


def default_scope(principal: Principal) -> Scope:
    """Supervisors watch their networks, secretaries their own requests, operators the whole hotline."""
    return {Role.SUPERVISOR: "supervised", Role.SECRETARY: "mine"}.get(principal.role, "all")  # type: ignore[return-value]


def _supervised(principal: Principal) -> object:
    networks = list(principal.network_ids)
    creator_in_network = exists().where(
        and_(user_networks.c.user_id == Case.created_by, user_networks.c.network_id.in_(networks))
    )
    return or_(Prescription.network_id.in_(networks), creator_in_network)


def scope_condition(principal: Principal, scope: Scope) -> ColumnElement[bool] | None:
    """What a staff member's scope keeps of prescriptions joined to their case (None: all)."""
    if scope == "all" and principal.role != Role.OPERATOR:
        scope = default_scope(principal)  # only the hotline's operators see everything
    if scope == "mine":
        return Case.created_by == principal.id
    if scope == "supervised":
        return _supervised(principal)  # type: ignore[return-value]
    return None


def board_query(
    principal: Principal,
    scope: Scope,
    state: PrescriptionState | None,
    number: str | None,
    keyword: str | None,
    since: datetime | None,
    profession: str | None,
    offset: int = 0,
) -> Select[Prescription]:
    """At most BOARD_LIMIT rows, latest first; `offset` pages further (the desktop's full board)."""
    query = select(Prescription).join(Case, Case.id == Prescription.case_id)
    scoped = scope_condition(principal, scope)
    if scoped is not None:
        query = query.where(scoped)
    if state is not None:
        query = query.where(Prescription.state == state.value)
    if number:
        query = query.where(Case.number == number.lstrip("#").strip())
    if since is not None:
        query = query.where(Prescription.sent_at >= since)
    if profession:
        query = query.where(Prescription.profession_code == profession)
    if keyword:
        key = name_compact_key(keyword)
        escaped = keyword.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        query = query.join(Patient, Patient.id == Case.patient_id).where(
            or_(
                Patient.last_name_key.startswith(key) if key else False,
                Prescription.care_type.ilike(like, escape="\\"),
                Prescription.comment.ilike(like, escape="\\"),
                Case.number == keyword.lstrip("#"),
            )
        )
    latest_first = query.order_by(Prescription.sent_at.desc(), Prescription.id.desc())
    return latest_first.offset(offset).limit(BOARD_LIMIT)


def board(session: Session, query: Select[Prescription]) -> list[Prescription]:
    return list(session.scalars(query))
