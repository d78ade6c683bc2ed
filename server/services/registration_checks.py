"""What the reviewer must look at in a registration (its `flags`), found when it is submitted:

- the national directory (the imported RPPS extraction, server/directory/): an identifier it does
  not know, or whose name or profession differ from the form's, is flagged with the reason — never
  silently accepted nor refused (the directory may be older than a new graduate's registration);
- an identifier, e-mail or phone that already has an account, or another registration under way
  for the same identifier: flagged here, never said to the applicant (server/services/registrations.py
  tells the existing account holder by e-mail instead);
- a network typed rather than chosen: the reviewer picks an existing one or creates it on approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.directory.importer import current_generation
from server.models import DirectoryPerson, ProfessionalProfile, Registration, User
from server.services.accounts import network_by_name, networks_by_ids
from shared.domain import PROFESSIONS
from shared.schemas.registrations import RegistrationCreate
from shared.validation import name_compact_key

OPEN_STATUSES = ("unverified", "to_review")


@dataclass
class Assessment:
    flags: list[dict[str, str]] = field(default_factory=list)
    directory: dict[str, Any] | None = None
    network_id: int | None = None
    # Existing accounts, told by e-mail that someone enrols with their identifier or address.
    identifier_holder: User | None = None
    email_holder: User | None = None

    def flag(self, code: str, message: str) -> None:
        self.flags.append({"code": code, "message": message})


def _directory(session: Session, body: RegistrationCreate, found: Assessment) -> None:
    kind = "RPPS" if body.identifier_kind == "rpps" else "ADELI"
    generation = current_generation(session)
    if generation is None:
        found.flag("directory_unavailable", "Annuaire national non importé : identité non vérifiée")
        return
    person = session.get(DirectoryPerson, (generation, body.identifier))
    if person is None:
        found.flag("directory_unknown", f"Numéro {kind} {body.identifier} absent de l'annuaire national")
        return
    found.directory = {
        "last_name": person.last_name,
        "first_name": person.first_name,
        "profession_code": person.profession_code,
        "profession": person.profession,
        "commune": person.commune,
    }
    differences = []
    if person.last_name_key != name_compact_key(body.last_name):
        differences.append(f"nom « {person.last_name} »")
    if person.first_name and person.first_name_key != name_compact_key(body.first_name):
        differences.append(f"prénom « {person.first_name} »")
    if person.profession_code and person.profession_code != body.profession_code:
        label = person.profession or PROFESSIONS.get(person.profession_code, person.profession_code)
        differences.append(f"profession « {label} »")
    if differences:
        found.flag(
            "directory_mismatch", f"L'annuaire national indique pour ce numéro : {', '.join(differences)}"
        )


def _duplicates(session: Session, body: RegistrationCreate, found: Assessment) -> None:
    profile = session.scalar(select(ProfessionalProfile).where(ProfessionalProfile.rpps == body.identifier))
    if profile is not None:
        found.identifier_holder = profile.user
        found.flag("identifier_has_account", f"Ce numéro a déjà un compte : {profile.user.username}")
    holder = session.scalar(select(User).where(User.email == body.email).limit(1))
    if holder is not None:
        found.email_holder = holder
        found.flag("email_has_account", f"Cette adresse e-mail est celle du compte {holder.username}")
    phone_user = session.scalar(select(User.username).where(User.phone == body.phone).limit(1))
    if phone_user is not None:
        found.flag("phone_has_account", f"Ce numéro de téléphone est celui du compte {phone_user}")
    pending = session.scalar(
        select(Registration.id)
        .where(Registration.identifier == body.identifier, Registration.status.in_(OPEN_STATUSES))
        .limit(1)
    )
    if pending is not None:
        found.flag("identifier_pending", f"Une autre inscription est en cours pour ce numéro (n° {pending})")


def _network(session: Session, body: RegistrationCreate, found: Assessment) -> None:
    if body.network_id is not None:
        found.network_id = networks_by_ids(session, [body.network_id])[0].id  # Invalid when unknown
        return
    if body.network_name:
        existing = network_by_name(session, body.network_name)
        if existing is not None:
            found.network_id = existing.id
        else:
            found.flag(
                "network_new",
                f"Réseau saisi, absent de la liste : « {body.network_name} » (à créer ou à choisir)",
            )


def assess(session: Session, body: RegistrationCreate) -> Assessment:
    found = Assessment()
    _directory(session, body, found)
    _duplicates(session, body, found)
    _network(session, body, found)
    return found
