"""Who is calling: a normalised number → professionals, users and (for staff) patients.

Likelihood, highest first: an account here whose own number it is (users, professional profiles),
then a patient's main number, a directory practice's main number, a patient's second number, a
practice's second number. Several people on one number (a practice switchboard, a family line)
make the answer ``shared``: the desktop then asks rather than picks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.directory.importer import current_generation
from server.models import DirectoryActivity, DirectoryPerson, Patient, ProfessionalProfile, User
from shared.domain import PROFESSIONS, Role
from shared.schemas.directory import PhoneCandidate, PhoneLookup

MAX_CANDIDATES = 50
_SCORE_ACCOUNT = 100
_SCORE_PATIENT = 80
_SCORE_DIRECTORY = 60
_SECOND_NUMBER_PENALTY = 25


@dataclass
class _Found:
    candidate: PhoneCandidate
    score: int
    matched: set[str] = field(default_factory=set)


def _add(found: dict[str, _Found], key: str, candidate: PhoneCandidate, score: int, matched: str) -> None:
    entry = found.get(key)
    if entry is None:
        entry = found[key] = _Found(candidate, score)
    else:
        entry.score = max(entry.score, score)
        entry.candidate.registered = entry.candidate.registered or candidate.registered
    entry.matched.add(matched)


def _professionals(session: Session, phone: str, found: dict[str, _Found]) -> None:
    profiles = session.scalars(
        select(ProfessionalProfile).where(ProfessionalProfile.phone == phone).limit(MAX_CANDIDATES)
    )
    for profile in profiles:
        _add(found, f"rpps:{profile.rpps}", _profile_candidate(profile), _SCORE_ACCOUNT, "account")
    generation = current_generation(session)
    if generation is None:
        return
    rows: list[tuple[DirectoryActivity, DirectoryPerson]] = []
    # One query per column: each walks its own (generation, phone) index (an OR would not, on SQLite).
    for column in (DirectoryActivity.phone, DirectoryActivity.phone2):
        statement = (
            select(DirectoryActivity, DirectoryPerson)
            .join(
                DirectoryPerson,
                (DirectoryPerson.generation == DirectoryActivity.generation)
                & (DirectoryPerson.rpps == DirectoryActivity.rpps),
            )
            .where(DirectoryActivity.generation == generation, column == phone)
            .limit(MAX_CANDIDATES)
        )
        rows.extend(session.execute(statement).tuples())
    registered = _registered(session, {person.rpps for _, person in rows})
    for activity, person in rows:
        score = _SCORE_DIRECTORY - (_SECOND_NUMBER_PENALTY if activity.phone != phone else 0)
        known = registered.get(person.rpps)
        candidate = PhoneCandidate(
            kind="professional",
            matched_by=[],
            display_name=f"{person.last_name} {person.first_name or ''}".strip(),
            rpps=person.rpps,
            user_id=known.user_id if known else None,
            profession_code=person.profession_code,
            profession=person.profession,
            registered=known is not None,
            site=activity.site_name,
            commune=activity.commune,
            postal_code=activity.postal_code,
        )
        _add(found, f"rpps:{person.rpps}", candidate, score, "directory")


def _registered(session: Session, rpps: set[str]) -> dict[str, ProfessionalProfile]:
    if not rpps:
        return {}
    rows = session.scalars(select(ProfessionalProfile).where(ProfessionalProfile.rpps.in_(rpps)))
    return {p.rpps: p for p in rows}


def _profile_candidate(profile: ProfessionalProfile) -> PhoneCandidate:
    return PhoneCandidate(
        kind="professional",
        matched_by=[],
        display_name=f"{profile.last_name.upper()} {profile.first_name}",
        rpps=profile.rpps,
        user_id=profile.user_id,
        role=Role.PROFESSIONAL.value,
        profession_code=profile.profession_code,
        profession=PROFESSIONS.get(profile.profession_code),
        registered=True,
        commune=profile.commune_name,
        postal_code=profile.postal_code,
    )


def _users(session: Session, phone: str, found: dict[str, _Found]) -> None:
    users = session.scalars(select(User).where(User.phone == phone, User.active).limit(MAX_CANDIDATES))
    for user in users:
        profile = user.professional
        if profile is not None:
            _add(found, f"rpps:{profile.rpps}", _profile_candidate(profile), _SCORE_ACCOUNT, "account")
            continue
        candidate = PhoneCandidate(
            kind="user", matched_by=[], display_name=user.display_name, user_id=user.id, role=user.role
        )
        _add(found, f"user:{user.id}", candidate, _SCORE_ACCOUNT, "account")


def _patients(session: Session, phone: str, found: dict[str, _Found]) -> list[int]:
    patients = session.scalars(
        select(Patient).where(or_(Patient.phone == phone, Patient.phone2 == phone)).limit(MAX_CANDIDATES)
    )
    ids = []
    for patient in patients:
        ids.append(patient.id)
        score = _SCORE_PATIENT - (_SECOND_NUMBER_PENALTY if patient.phone != phone else 0)
        candidate = PhoneCandidate(
            kind="patient",
            matched_by=[],
            display_name=f"{patient.last_name.upper()} {patient.first_name}",
            patient_id=patient.id,
            commune=patient.city,
            postal_code=patient.postal_code,
        )
        _add(found, f"patient:{patient.id}", candidate, score, "patient")
    return ids


def lookup(session: Session, phone: str, *, with_patients: bool) -> tuple[PhoneLookup, list[int]]:
    """Candidates for ``phone`` (E.164), most likely first, and the ids of the patients shown."""
    found: dict[str, _Found] = {}
    _users(session, phone, found)
    _professionals(session, phone, found)
    patient_ids = _patients(session, phone, found) if with_patients else []
    ranked = sorted(found.values(), key=lambda f: (-f.score, f.candidate.display_name))[:MAX_CANDIDATES]
    candidates = []
    for entry in ranked:
        entry.candidate.matched_by = sorted(entry.matched)
        candidates.append(entry.candidate)
    shown = {c.patient_id for c in candidates if c.patient_id is not None}
    return PhoneLookup(phone=phone, shared=len(candidates) > 1, candidates=candidates), [
        i for i in patient_ids if i in shown
    ]
