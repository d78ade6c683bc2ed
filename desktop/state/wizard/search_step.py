"""Step 2, « Recherche patient »: four mandatory traits, server results, or a new patient."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cardreader.cards.vitale2 import Beneficiary
from desktop.state.form_errors import (
    FieldErrors,
    check,
    check_name,
    check_phone,
    check_required,
    format_date,
    parse_birth_date,
    parse_date,
)
from shared.domain import Sex
from shared.schemas.patients import PatientMatch, PatientSearchResult
from shared.validation import name_compact_key, normalize_phone

TRAITS = ("phone", "last_name", "first_name", "birth_date")
NOT_REGISTERED = "Ce patient n'est pas enregistré"
MANDATORY_NOTE = "* obligatoire pour déclencher : téléphone, nom, prénom et date de naissance"
MIN_NAME_LETTERS = 2  # the server's patient search: a name alone needs 2 letters


def age_on(birth: date, today: date) -> int:
    """Years completed on ``today`` (the platform's date: `desktop.state.times.today`)."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def result_line(match: PatientMatch, today: date) -> str:
    """« AAMICHO Bbmicho — 52 ans — née le 01/01/1970 — 20215 Vescovato », as the tutorial's board."""
    born = {Sex.FEMALE: "née", Sex.MALE: "né"}.get(match.sex, "né(e)")
    text = f"{match.last_name} {match.first_name} — {age_on(match.birth_date, today)} ans"
    text += f" — {born} le {match.birth_date:%d/%m/%Y}"
    return text + f" — {match.postal_code or ''} {match.city or ''}".rstrip(" —")


@dataclass(slots=True)
class SearchStep:
    phone: str = ""
    last_name: str = ""
    first_name: str = ""
    birth_date: str = ""  # as typed, JJ/MM/AAAA
    results: list[dict[str, Any]] = field(default_factory=list)  # PatientMatch as JSON
    truncated: bool = False
    selected_patient_id: int | None = None
    new_patient: bool = False  # « Ce patient n'est pas enregistré »
    card_nir: str = ""  # NIR read on the Carte Vitale (may be the insured parent's)

    def validate(self, today: date) -> FieldErrors:
        errors: FieldErrors = {}
        check_required(self.traits(), TRAITS, errors)
        check_phone(errors, "phone", self.phone)
        check_name(errors, "last_name", self.last_name, "Nom")
        check_name(errors, "first_name", self.first_name, "Prénom")
        if self.birth_date.strip():
            check(errors, "birth_date", lambda: parse_birth_date(self.birth_date, today))
        return errors

    def validate_choice(self, today: date) -> FieldErrors:
        """Leaving the step also needs a patient picked, or « Ce patient n'est pas enregistré »."""
        errors = self.validate(today)
        if not errors and self.selected_patient_id is None and not self.new_patient:
            errors["patient"] = f"Choisissez un patient dans les résultats, ou « {NOT_REGISTERED} »"
        return errors

    def traits(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in TRAITS}

    def query(self) -> dict[str, str]:
        """Criteria for ``GET /patients`` from the valid traits typed so far (live search)."""
        params: dict[str, str] = {}
        errors = self.validate(date.max)
        if self.phone.strip() and "phone" not in errors:
            params["phone"] = normalize_phone(self.phone)
        for name in ("last_name", "first_name"):
            if getattr(self, name).strip() and name not in errors:
                params[name] = getattr(self, name).strip()
        if self.birth_date.strip() and "birth_date" not in errors:
            params["birth_date"] = parse_date(self.birth_date).isoformat()
        return params

    def live_query(self) -> dict[str, str] | None:
        """The live search's criteria once one trait is enough for the server's search (a phone,
        a birth date, or at least 2 letters of the name: `server/services/patient_search.py`) —
        the phone alone, what a caller gives first, searches; None while nothing is enough."""
        params = self.query()
        enough = ("phone" in params or "birth_date" in params) or (
            len(name_compact_key(params.get("last_name", ""))) >= MIN_NAME_LETTERS
        )
        return params if enough else None

    def set_results(self, result: PatientSearchResult) -> None:
        self.results = [item.model_dump(mode="json") for item in result.items]
        self.truncated = result.truncated
        if self.selected_patient_id not in {item.id for item in result.items}:
            self.selected_patient_id = None

    def matches(self) -> list[PatientMatch]:
        return [PatientMatch.model_validate(item) for item in self.results]

    @staticmethod
    def duplicate_warning(match: PatientMatch) -> str | None:
        """The flag shown next to a result that may be the same person as another record."""
        if not match.likely_duplicates:
            return None
        count = len(match.likely_duplicates)
        return f"Doublon probable : {count} autre(s) fiche(s) ressemblante(s)"

    def select(self, patient_id: int) -> None:
        if patient_id not in {item["id"] for item in self.results}:
            raise KeyError(patient_id)
        self.selected_patient_id = patient_id
        self.new_patient = False

    def choose_new_patient(self) -> None:
        self.selected_patient_id = None
        self.new_patient = True

    def fill_from_beneficiary(self, beneficiary: Beneficiary) -> None:
        """A Carte Vitale beneficiary fills name, first name and birth date (not the phone)."""
        self.last_name = beneficiary.last_name
        self.first_name = beneficiary.first_name
        if beneficiary.birth_date_iso:
            self.birth_date = format_date(date.fromisoformat(beneficiary.birth_date_iso))
        else:  # a "lunar" date (19750000): shown as read, the operator corrects it
            raw = beneficiary.birth_date
            self.birth_date = f"{raw[6:8]}/{raw[4:6]}/{raw[0:4]}"
        self.card_nir = beneficiary.nir if beneficiary.nir_valid else ""
        self.selected_patient_id = None
        self.new_patient = False
