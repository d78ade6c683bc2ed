"""« Recherche effectuée dans l'annuaire national RPPS et Entr'Actes »: professionals by name prefix.

Names are compared through their compact keys (shared/validation/names.py: accents, case,
hyphens and apostrophes ignored, so « dalm » finds « D'ALMEIDA », « hel » finds « Hélène »).
A prefix is a key range (``key >= 'HEL' AND key < 'HEM'``) walked in the directory's name index
in key order: the first ``limit`` rows are read and nothing more. Professionals with an account
here (``professional_profiles``) come first, flagged ``registered``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from server.directory.importer import current_generation
from server.models import DirectoryPerson, ProfessionalProfile
from shared.domain import PROFESSIONS
from shared.schemas.directory import DirectoryProfessional
from shared.validation import name_compact_key

MIN_LETTERS = 3


class TooShort(Exception):
    """No name field has enough letters to search the national directory."""


@dataclass(frozen=True)
class Query:
    last_key: str
    first_key: str
    profession_code: str | None
    limit: int

    @classmethod
    def of(cls, last_name: str | None, first_name: str | None, profession: str | None, limit: int) -> Query:
        last_key = name_compact_key(last_name or "")
        first_key = name_compact_key(first_name or "")
        if max(len(last_key), len(first_key)) < MIN_LETTERS:
            raise TooShort
        return cls(last_key, first_key, profession, limit)


def _after(prefix: str) -> str:
    """The smallest key greater than every key starting with ``prefix`` (code point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _prefix(column: InstrumentedAttribute[str], key: str) -> ColumnElement[bool]:
    return and_(column >= key, column < _after(key))


def _conditions(model: Any, query: Query) -> list[ColumnElement[bool]]:
    conditions = []
    if query.last_key:
        conditions.append(_prefix(model.last_name_key, query.last_key))
    if query.first_key:
        conditions.append(_prefix(model.first_name_key, query.first_key))
    if query.profession_code:
        conditions.append(model.profession_code == query.profession_code)
    return conditions


def _directory(session: Session, query: Query, generation: int, skip: set[str]) -> list[DirectoryPerson]:
    person = DirectoryPerson
    # Key order of the index used: the last-name index when a last name is given, else the first-name one.
    names = (person.last_name_key, person.first_name_key)
    # A filtered profession is constant: ordering by it would only make SQLite sort.
    ties = (person.rpps,) if query.profession_code else (person.profession_code, person.rpps)
    order = (*(names if query.last_key else names[::-1]), *ties)
    statement = (
        select(person)
        .where(person.generation == generation, *_conditions(person, query))
        .order_by(*order)
        .limit(query.limit + len(skip) + 1)
    )
    return [p for p in session.scalars(statement) if p.rpps not in skip]


def _registered(session: Session, query: Query) -> list[ProfessionalProfile]:
    profile = ProfessionalProfile
    statement = (
        select(profile)
        .where(*_conditions(profile, query))
        .order_by(profile.last_name_key, profile.first_name_key, profile.rpps)
        .limit(query.limit + 1)
    )
    return list(session.scalars(statement))


def _from_directory(person: DirectoryPerson, registered: bool) -> DirectoryProfessional:
    return DirectoryProfessional(
        rpps=person.rpps,
        last_name=person.last_name,
        first_name=person.first_name,
        profession_code=person.profession_code,
        profession=person.profession,
        specialty=person.specialty,
        commune=person.commune,
        postal_code=person.postal_code,
        phone=person.phone,
        registered=registered,
    )


def _from_profile(profile: ProfessionalProfile, listed: DirectoryPerson | None) -> DirectoryProfessional:
    return DirectoryProfessional(
        rpps=profile.rpps,
        last_name=profile.last_name,
        first_name=profile.first_name,
        profession_code=profile.profession_code,
        profession=PROFESSIONS.get(profile.profession_code),
        specialty=listed.specialty if listed else profile.specialty_code,
        commune=profile.commune_name or (listed.commune if listed else None),
        postal_code=profile.postal_code or (listed.postal_code if listed else None),
        phone=profile.phone or (listed.phone if listed else None),
        registered=True,
    )


def search(session: Session, query: Query) -> tuple[list[DirectoryProfessional], bool]:
    """Registered professionals first, then the directory, each in name order; and whether more matched."""
    registered = _registered(session, query)
    registered_rpps = {p.rpps for p in registered}
    generation = current_generation(session)
    listed = _directory(session, query, generation, registered_rpps) if generation is not None else []
    listed_registered: dict[str, DirectoryPerson] = {}
    if registered_rpps and generation is not None:
        rows = session.scalars(
            select(DirectoryPerson).where(
                DirectoryPerson.generation == generation, DirectoryPerson.rpps.in_(registered_rpps)
            )
        )
        listed_registered = {p.rpps: p for p in rows}
    items = [_from_profile(p, listed_registered.get(p.rpps)) for p in registered]
    items += [_from_directory(p, False) for p in listed]
    return items[: query.limit], len(items) > query.limit
