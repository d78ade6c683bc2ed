"""The prescription board: which prescriptions a staff member sees, filtered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.orm import Session, contains_eager

from server.models import Case, Patient, Prescription, User, user_networks
from server.security.principal import Principal
from server.services import practices
from server.services.prescription_views import declined_in_round
from shared.domain import PrescriptionState, Role
from shared.validation import name_compact_key

Scope = Literal["mine", "supervised", "all"]
BOARD_LIMIT = 500


def is_platform_supervisor(principal: Principal) -> bool:
    """A supervisor of the hotline itself (the platform), not of a network: a supervisor with no
    network. A network supervisor is defined by the networks given to them; one given none has
    nothing of a network to watch, and the hotline's own supervisor is exactly that account (no
    migration, no second setting that could contradict the networks: the admin's one choice,
    networks or none, says which, and the desktop's window title shows it)."""
    return principal.role == Role.SUPERVISOR and not principal.network_ids


def default_scope(principal: Principal) -> Scope:
    """Supervisors watch their networks (the platform's supervisor the whole platform),
    secretaries their own requests, operators the whole hotline."""
    if is_platform_supervisor(principal):
        return "all"
    return {Role.SUPERVISOR: "supervised", Role.SECRETARY: "mine"}.get(principal.role, "all")  # type: ignore[return-value]


def _supervised(principal: Principal) -> object:
    networks = list(principal.network_ids)
    creator_in_network = exists().where(
        and_(user_networks.c.user_id == Case.created_by, user_networks.c.network_id.in_(networks))
    )
    return or_(Prescription.network_id.in_(networks), creator_in_network)


def scope_condition(principal: Principal, scope: Scope) -> ColumnElement[bool] | None:
    """What a staff member's scope keeps of prescriptions joined to their case (None: all)."""
    if principal.role == Role.SECRETARY and scope != "mine":
        return practices.cases_condition(principal.id)  # her practice's, whatever the scope asked
    if scope == "all" and principal.role != Role.OPERATOR:
        scope = default_scope(principal)  # only the hotline's operators and supervisor see everything
    if scope == "mine":
        return Case.created_by == principal.id
    if scope == "supervised":
        if is_platform_supervisor(principal):
            return None  # the platform's supervisor supervises the whole platform
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
    exclude_mine: bool = False,
) -> Select[Prescription]:
    """At most BOARD_LIMIT rows, latest first; `offset` pages further (the desktop's full board).
    `exclude_mine` leaves out the caller's own cases: the desktop's second section, whose first,
    « Mes fiches », has them already."""
    query = select(Prescription).join(Case, Case.id == Prescription.case_id)
    scoped = scope_condition(principal, scope)
    if scoped is not None:
        query = query.where(scoped)
    if exclude_mine:
        query = query.where(Case.created_by != principal.id)
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


@dataclass(frozen=True)
class BoardPage:
    """A page of the board with what presenting it needs, loaded in one query each (cases with the
    rows, then patients, then accepting users, then refusals): 500 rows presented without 2,000
    round trips."""

    rows: list[Prescription]
    patients: dict[int, Patient]
    accepted_by: dict[int, User]
    declined: dict[int, list[int]]  # who declined each row's current round (« 1 refus »)


def board(session: Session, query: Select[Prescription]) -> BoardPage:
    rows = list(session.scalars(query.options(contains_eager(Prescription.case))))
    patient_ids = {p.case.patient_id for p in rows}
    user_ids = {p.accepted_by for p in rows if p.accepted_by is not None}
    patients: dict[int, Patient] = {}
    if patient_ids:
        patients = {p.id: p for p in session.scalars(select(Patient).where(Patient.id.in_(patient_ids)))}
    users: dict[int, User] = {}
    if user_ids:
        users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
    return BoardPage(rows, patients, users, declined_in_round(session, [p.id for p in rows]))
