"""Patient search and likely-duplicate detection (identitovigilance).

Likely duplicates, as domain.md asks: the same NIR, the same phone number, or the same birth date
with similar names. Candidates come from indexed columns (phone, birth date, NIR); only the name
similarity is judged in Python, on that short list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from server.errors import Invalid
from server.models import Patient
from server.services.patient_views import age_on
from shared.domain import IdentityStatus, Sex
from shared.schemas.patients import DuplicateHint, PatientMatch
from shared.validation import name_compact_key, names_similar

_T = TypeVar("_T")

SEARCH_LIMIT = 50
SAME_NIR = "même NIR"
SAME_PHONE = "même téléphone"
SAME_BIRTH_AND_NAME = "même date de naissance et nom proche"


@dataclass(frozen=True)
class Traits:
    """What we know of the person sought (a search query or a patient about to be created)."""

    phone: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    birth_date: date | None = None
    nir: str | None = None


def duplicate_reasons(traits: Traits, other: Patient) -> list[str]:
    reasons = []
    if traits.nir and other.nir == traits.nir:
        reasons.append(SAME_NIR)
    if traits.phone and traits.phone in (other.phone, other.phone2):
        reasons.append(SAME_PHONE)
    if traits.birth_date == other.birth_date and traits.last_name and traits.first_name:
        last_close = any(
            names_similar(traits.last_name, n) for n in (other.last_name, other.birth_last_name) if n
        )
        if last_close and names_similar(traits.first_name, other.first_name):
            reasons.append(SAME_BIRTH_AND_NAME)
    return reasons


def _candidates(session: Session, traits: Iterable[Traits]) -> list[Patient]:
    phones, births, nirs = set(), set(), set()
    for t in traits:
        if t.phone:
            phones.add(t.phone)
        if t.birth_date:
            births.add(t.birth_date)
        if t.nir:
            nirs.add(t.nir)
    clauses = []
    if phones:
        clauses += [Patient.phone.in_(phones), Patient.phone2.in_(phones)]
    if births:
        clauses.append(Patient.birth_date.in_(births))
    if nirs:
        clauses.append(Patient.nir.in_(nirs))
    if not clauses:
        return []
    return list(session.scalars(select(Patient).where(or_(*clauses)).limit(2000)))


def likely_duplicates(session: Session, traits: Traits, exclude_id: int | None = None) -> list[DuplicateHint]:
    hints = []
    for other in _candidates(session, [traits]):
        if other.id == exclude_id:
            continue
        reasons = duplicate_reasons(traits, other)
        if reasons:
            hints.append(DuplicateHint(id=other.id, reasons=reasons))
    return sorted(hints, key=lambda h: h.id)


def traits_of(patient: Patient) -> list[Traits]:
    base = Traits(patient.phone, patient.last_name, patient.first_name, patient.birth_date, patient.nir)
    return [base, Traits(phone=patient.phone2)] if patient.phone2 else [base]


def _criteria_query(traits: Traits) -> Select[Patient]:
    query = select(Patient)
    if traits.phone:
        query = query.where(or_(Patient.phone == traits.phone, Patient.phone2 == traits.phone))
    if traits.last_name:
        key = name_compact_key(traits.last_name)
        query = query.where(
            or_(Patient.last_name_key.startswith(key), Patient.birth_last_name_key.startswith(key))
        )
    if traits.first_name:
        query = query.where(Patient.first_name_key.startswith(name_compact_key(traits.first_name)))
    if traits.birth_date:
        query = query.where(Patient.birth_date == traits.birth_date)
    if traits.nir:
        query = query.where(Patient.nir == traits.nir)
    return query.order_by(Patient.last_name_key, Patient.first_name_key, Patient.id)


def search(
    session: Session, traits: Traits, today: date, within: ColumnElement[bool] | None = None
) -> tuple[list[PatientMatch], bool]:
    """`within`: a condition on `Patient` the caller is restricted to (a practice secretary's
    patients, server/services/practices.py); no other patient is named, even as a likely duplicate."""
    last_key = name_compact_key(traits.last_name) if traits.last_name else ""
    if not (traits.phone or traits.birth_date or traits.nir or len(last_key) >= 2):
        raise Invalid(
            "search_too_broad",
            "Précisez la recherche : téléphone, date de naissance, NIR ou au moins 2 lettres du nom",
        )
    criteria = _criteria_query(traits) if within is None else _criteria_query(traits).where(within)
    exact = list(session.scalars(criteria.limit(SEARCH_LIMIT + 1)))
    truncated = len(exact) > SEARCH_LIMIT
    exact = exact[:SEARCH_LIMIT]
    found: dict[int, tuple[Patient, str, list[str]]] = {p.id: (p, "exact", []) for p in exact}
    for other in _candidates(session, [traits]):
        reasons = duplicate_reasons(traits, other)
        if other.id in found:
            found[other.id] = (other, "exact", reasons)
        elif reasons:
            found[other.id] = (other, "similar", reasons)
    found = _visible(session, found, within)
    patients = [p for p, _, _ in found.values()]
    pool = {p.id: p for p in _candidates(session, [t for p in patients for t in traits_of(p)])}
    pool = _visible(session, pool, within)
    items = []
    for patient, match, reasons in found.values():
        hints = []
        for other in pool.values():
            if other.id == patient.id:
                continue
            why = sorted({r for t in traits_of(patient) for r in duplicate_reasons(t, other)})
            if why:
                hints.append(DuplicateHint(id=other.id, reasons=why))
        items.append(_match(patient, match, reasons, hints, today))
    items.sort(key=lambda m: (m.match != "exact", m.last_name.upper(), m.first_name.upper(), m.id))
    return items, truncated


def _visible(session: Session, found: dict[int, _T], within: ColumnElement[bool] | None) -> dict[int, _T]:
    if within is None or not found:
        return found
    allowed = set(session.scalars(select(Patient.id).where(Patient.id.in_(list(found)), within)))
    return {k: v for k, v in found.items() if k in allowed}


def _match(
    patient: Patient, match: str, reasons: list[str], hints: list[DuplicateHint], today: date
) -> PatientMatch:
    return PatientMatch(
        id=patient.id,
        last_name=patient.last_name,
        first_name=patient.first_name,
        birth_last_name=patient.birth_last_name,
        birth_date=patient.birth_date,
        age=age_on(patient.birth_date, today),
        sex=Sex(patient.sex),
        phone=patient.phone,
        postal_code=patient.postal_code,
        city=patient.city,
        identity_status=IdentityStatus(patient.identity_status),
        match="exact" if match == "exact" else "similar",
        reasons=reasons,
        likely_duplicates=sorted(hints, key=lambda h: h.id),
    )
