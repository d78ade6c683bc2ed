"""Who may be written to, and who may see a thread's patient (docs/messaging.md « Decisions »).

Recipients are the active users of `MESSAGING_ROLES` (a professional once their account is
validated: a profile exists), found by name — never by phone number or e-mail, and nothing of the
kind is returned. With a patient, only those who may see that patient: the hotline's operators and
supervisors, and the professionals tied to the patient (`ties.patient_access`'s rule, computed here
in bulk with `_ties` for the search and the thread list; `may_see` applies the rule itself to one
person).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Select, or_, select, union
from sqlalchemy.orm import QueryableAttribute, Session

from server.errors import Forbidden, Invalid
from server.models import Case, Patient, Prescription, ProfessionalProfile, User, UsualProfessional
from server.models.messaging import ROW_ID_MAX
from server.security.principal import Principal
from server.services import ties
from shared.domain import PROFESSIONS, Role
from shared.schemas.messaging import (
    PATIENT_NOT_VISIBLE,
    QUERY_MESSAGE,
    RECIPIENT_QUERY_MAX,
    RECIPIENT_QUERY_MIN,
    RECIPIENT_UNKNOWN,
    RECIPIENTS_SHOWN,
    RecipientOut,
)
from shared.validation.names import name_compact_key, name_search_key

MESSAGING_ROLES = (Role.PROFESSIONAL, Role.OPERATOR, Role.SUPERVISOR)
HOTLINE_ROLES = (Role.OPERATOR.value, Role.SUPERVISOR.value)


@dataclass(frozen=True)
class Person:
    """Someone as messaging shows them: name, role, and profession + commune or the role's label."""

    user_id: int
    name: str
    role: str
    detail: str

    def recipient(self) -> RecipientOut:
        return RecipientOut(user_id=self.user_id, name=self.name, role=self.role, detail=self.detail)


def _detail(role: str, profession_code: str | None, commune: str | None) -> str:
    if role == Role.PROFESSIONAL.value and profession_code is not None:
        profession = PROFESSIONS.get(profession_code, profession_code)
        return f"{profession}, {commune}" if commune else profession
    try:
        return Role(role).label
    except ValueError:
        return role


def _people_query(user_ids: Collection[int]) -> Select[int, str, str, bool, int, str, str | None]:
    """id, name, role, active, the profile's user id, profession, commune (outer join: the last
    three None without a profile)."""
    return (
        select(
            User.id,
            User.display_name,
            User.role,
            User.active,
            ProfessionalProfile.user_id,
            ProfessionalProfile.profession_code,
            ProfessionalProfile.commune_name,
        )
        .outerjoin(ProfessionalProfile, ProfessionalProfile.user_id == User.id)
        .where(User.id.in_(user_ids))
    )


def people(session: Session, user_ids: Collection[int]) -> dict[int, Person]:
    """Names and details of these users (whoever they are, active or not), in one query."""
    if not user_ids:
        return {}
    rows = session.execute(_people_query(user_ids))
    return {
        uid: Person(uid, name, role, _detail(role, code, commune))
        for uid, name, role, _active, _profile, code, commune in rows
    }


def eligible(session: Session, user_ids: Collection[int]) -> dict[int, Person]:
    """The users one may write to, among `user_ids`; 422 `recipient_unknown` if any is not."""
    if not user_ids:
        return {}
    found: dict[int, Person] = {}
    storable = [uid for uid in user_ids if uid <= ROW_ID_MAX]
    for uid, name, role, active, profile, code, commune in session.execute(_people_query(storable)):
        allowed = role in (r.value for r in MESSAGING_ROLES) and (role != Role.PROFESSIONAL or profile)
        if active and allowed:
            found[uid] = Person(uid, name, role, _detail(role, code, commune))
    missing = sorted(set(user_ids) - set(found))
    if missing:
        raise Invalid(
            RECIPIENT_UNKNOWN,
            "Destinataire inconnu ou qui ne peut pas recevoir de message",
            user_ids=missing,
        )
    return found


def _ties(patient_ids: Collection[int], user_id: int | None = None) -> CompoundSelect[Any]:
    """(user_id, patient_id) of the professionals tied to these patients (`ties.patient_access`):
    usual professionals, acceptors, requesters and creators of their cases, the file's creator."""

    def mine(column: QueryableAttribute[Any]) -> list[ColumnElement[bool]]:
        return [column == user_id] if user_id is not None else [column.is_not(None)]

    usual = (
        select(ProfessionalProfile.user_id.label("user_id"), UsualProfessional.patient_id.label("patient_id"))
        .join(UsualProfessional, UsualProfessional.rpps == ProfessionalProfile.rpps)
        .where(UsualProfessional.patient_id.in_(patient_ids), *mine(ProfessionalProfile.user_id))
    )
    accepted = (
        select(Prescription.accepted_by, Case.patient_id)
        .join(Case, Case.id == Prescription.case_id)
        .where(Case.patient_id.in_(patient_ids), *mine(Prescription.accepted_by))
    )
    requested = select(Case.requester_user_id, Case.patient_id).where(
        Case.patient_id.in_(patient_ids), *mine(Case.requester_user_id)
    )
    created_case = select(Case.created_by, Case.patient_id).where(
        Case.patient_id.in_(patient_ids), *mine(Case.created_by)
    )
    created_file = select(Patient.created_by, Patient.id).where(
        Patient.id.in_(patient_ids), *mine(Patient.created_by)
    )
    return union(usual, accepted, requested, created_case, created_file)


def seen_patients(session: Session, principal: Principal, patient_ids: Collection[int]) -> set[int]:
    """The patients among `patient_ids` the caller may see (a thread list's names), in one query."""
    if not patient_ids:
        return set()
    if principal.role in (Role.OPERATOR, Role.SUPERVISOR):
        return set(patient_ids)
    if principal.role != Role.PROFESSIONAL:
        return set()
    tied = _ties(patient_ids, principal.id).subquery()
    return set(session.scalars(select(tied.c.patient_id).distinct()))


def may_see(session: Session, patient: Patient, user_id: int) -> bool:
    """`ties.patient_access` applied to this user as if they asked (the patient page's rule)."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        return False
    return ties.patient_access(session, patient, Principal.of(user)) is not None


def require_seeing(session: Session, patient: Patient, user_ids: Collection[int]) -> None:
    """403 `patient_not_visible` naming the first user (in the order given) who may not see it."""
    for user_id in user_ids:
        if not may_see(session, patient, user_id):
            raise Forbidden(
                PATIENT_NOT_VISIBLE,
                "Cette personne ne peut pas voir ce patient : "
                "elle ne peut pas être ajoutée à cette conversation",
                user_id=user_id,
            )


def _query_keys(query: str) -> list[str]:
    if len(query) > RECIPIENT_QUERY_MAX:
        raise Invalid("query_too_long", f"Recherche de {RECIPIENT_QUERY_MAX} caractères au plus")
    keys = [name_compact_key(word) for word in name_search_key(query).split()]
    keys = [key for key in keys if key]
    if sum(len(key) for key in keys) < RECIPIENT_QUERY_MIN:
        raise Invalid("query_too_short", QUERY_MESSAGE)
    return keys


def _words_match(keys: list[str], name: str) -> bool:
    words = name_search_key(name).split()
    return all(any(word.startswith(key) for word in words) for key in keys)


def search(session: Session, principal: Principal, query: str, patient_id: int | None) -> list[RecipientOut]:
    """Up to `RECIPIENTS_SHOWN` people whose name has a word starting with each word of `query`
    (accents, case and punctuation ignored), the caller excluded; with a patient, only those who
    may see them. Names, roles and details only."""
    keys = _query_keys(query)
    found: list[Person] = []
    pros = (
        select(
            User.id, User.display_name, ProfessionalProfile.profession_code, ProfessionalProfile.commune_name
        )
        .join(ProfessionalProfile, ProfessionalProfile.user_id == User.id)
        .where(User.active.is_(True), User.role == Role.PROFESSIONAL.value, User.id != principal.id)
    )
    for key in keys:
        pros = pros.where(
            or_(
                ProfessionalProfile.last_name_key.startswith(key, autoescape=True),
                ProfessionalProfile.first_name_key.startswith(key, autoescape=True),
            )
        )
    if patient_id is not None:
        tied = _ties([patient_id]).subquery()
        pros = pros.where(User.id.in_(select(tied.c.user_id)))
    pros = pros.order_by(
        ProfessionalProfile.last_name_key, ProfessionalProfile.first_name_key, User.id
    ).limit(RECIPIENTS_SHOWN)
    for uid, name, code, commune in session.execute(pros):
        found.append(
            Person(uid, name, Role.PROFESSIONAL.value, _detail(Role.PROFESSIONAL.value, code, commune))
        )
    # The hotline's staff are few (tens): matched word by word here, on the display name.
    staff = session.execute(
        select(User.id, User.display_name, User.role).where(
            User.active.is_(True), User.role.in_(HOTLINE_ROLES), User.id != principal.id
        )
    )
    for uid, name, role in staff:
        if _words_match(keys, name):
            found.append(Person(uid, name, role, _detail(role, None, None)))
    found.sort(key=lambda p: (name_search_key(p.name), p.user_id))
    return [p.recipient() for p in found[:RECIPIENTS_SHOWN]]
