"""Step 3, « Patient »: contact, identity (NIR checked live), address with its commune."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from desktop.state.form_errors import (
    FieldErrors,
    check,
    check_required,
    format_date,
    parse_birth_date,
    validate_model,
)
from desktop.state.times import OVERSEAS_ZONES
from desktop.state.wizard.identity_vigilance import evidence_values, identity_errors
from shared.domain import IdentityStatus
from shared.schemas.directory import CommuneOut
from shared.schemas.patients import PatientCreate, PatientOut, PatientPatch
from shared.validation import (
    ValidationFailure,
    check_nir_matches_identity,
    format_phone_national,
    normalize_phone,
    parse_nir,
    validate_ins_oid,
)
from shared.validation.identity_vigilance import INSI_UNAVAILABLE, MINOR_FAMILY_DOCUMENTS, supported_statuses

# Sent to the server as typed (after trimming); the other fields of the step are for the UI.
SENT_FIELDS = (
    "phone",
    "phone2",
    "email",
    "last_name",
    "first_name",
    "birth_last_name",
    "birth_first_names",
    "sex",
    "birth_date",
    "birth_place_insee",
    "nir",
    "ins_oid",
    "identity_status",
    "occupation",
    "insurance_scheme",
    "address_line",
    "address_complement",
    "building",
    "staircase",
    "floor",
    "digicode",
    "intercom",
    "door",
    "postal_code",
    "city",
    "commune_insee",
    "latitude",
    "longitude",
)
PHONE_FIELDS = ("phone", "phone2")
MANDATORY = ("phone", "last_name", "first_name", "birth_date", "sex", "address_line", "city")
COMMUNE_FIELDS = ("postal_code", "commune_insee", "latitude", "longitude")
# Overseas départements (first 3 characters of the INSEE code) → their time zone.


def zone_of_insee(insee: str) -> str | None:
    if not insee:
        return None
    return OVERSEAS_ZONES.get(insee[:3], "Europe/Paris")


PHONE, PHONE2, NOT_KEPT = "phone", "phone2", ""
OFFERED_PHONE = (
    "Nouveau numéro saisi à la recherche : {number}. Choisissez « Remplacer le téléphone » (Alt+M), "
    "« Ajouter en Téléphone 2 » (Alt+J) ou « Ne pas l'enregistrer » (Alt+G)"
)


def _normalised(text: str) -> str:
    try:
        return normalize_phone(text) if text.strip() else ""
    except (ValidationFailure, ValueError):
        return ""


def display_phone(e164: str) -> str:
    """A stored number as the operator reads it: the French national format when it is one."""
    try:
        return format_phone_national(e164)
    except ValueError:
        return e164


# A strict trait changed since the document was checked: that check no longer holds (RNIV; the server
# drops it too, server/services/identity_vigilance.py).
DOCUMENT_TRAITS = ("birth_last_name", "birth_first_names", "birth_date", "sex", "birth_place_insee")
CARD_NIR_NOTICE = (
    "NIR lu sur la Carte Vitale : il peut être celui de l'assuré (parent), vérifiez qu'il est "
    "bien celui du patient"
)


@dataclass(slots=True)
class PatientStep:
    patient_id: int | None = None  # None: a new patient
    version: int | None = None
    original: dict[str, str] = field(default_factory=dict)  # values loaded from the server
    phone: str = ""
    phone2: str = ""
    email: str = ""
    last_name: str = ""
    first_name: str = ""
    birth_last_name: str = ""
    birth_first_names: str = ""
    sex: str = ""  # "F", "M" or "U"
    birth_date: str = ""  # JJ/MM/AAAA
    birth_place_insee: str = ""
    birth_place_name: str = ""  # « Lieu de naissance » as shown
    nir: str = ""
    ins_oid: str = ""  # empty: the server derives it from the NIR (NIR or NIA)
    identity_status: str = IdentityStatus.PROVISIONAL.value
    occupation: str = ""
    insurance_scheme: str = ""
    territory: str = "metropole"  # « France métropolitaine » / overseas, narrows the autocomplete
    address_line: str = ""
    address_complement: str = ""
    building: str = ""
    staircase: str = ""
    floor: str = ""
    digicode: str = ""
    intercom: str = ""
    door: str = ""
    postal_code: str = ""
    city: str = ""
    commune_insee: str = ""
    latitude: str = ""
    longitude: str = ""
    acknowledge_duplicates: bool = False
    notices: dict[str, str] = field(default_factory=dict)  # warnings that do not block
    # A phone typed on « Recherche patient » that the known patient has not: kept until the operator
    # says where it goes (`keep_offered_phone`), never dropped silently.
    offered_phone: str = ""
    # Identity vigilance (RNIV): « Pièce d'identité vérifiée » (its type; for a minor's family record
    # book or birth certificate, the parent seen and their own document), the INSi answer cited, and
    # what the patient's file already holds. The Carte Vitale is not an identity document: reading it
    # fills the NIR (with a notice) and never raises the status.
    document_type: str = ""
    parent_last_name: str = ""
    parent_first_name: str = ""
    parent_document: str = ""
    insi_reference: str = ""
    insi_available: bool = False  # this deployment's server has a connection to the INSi teleservice
    stored_document: bool = False
    stored_insi: bool = False

    @classmethod
    def from_patient(cls, patient: PatientOut) -> PatientStep:
        step = cls(patient_id=patient.id, version=patient.version)
        for name in SENT_FIELDS:
            value = getattr(patient, name)
            if value is None:
                text = ""
            elif name == "birth_date":
                text = format_date(value)
            elif name in PHONE_FIELDS:
                text = display_phone(str(value))  # « 06 12 34 56 78 »; sent back normalised
            else:
                text = str(value.value if hasattr(value, "value") else value)
            setattr(step, name, text)
        step.original = {name: getattr(step, name) for name in SENT_FIELDS}
        step.stored_document = patient.identity_evidence.document is not None
        step.stored_insi = patient.identity_evidence.insi is not None
        return step

    def document_checked(self) -> bool:
        """A document chosen now, or the one on file while no strict trait has changed since."""
        if self.document_type:
            return True
        unchanged = all(getattr(self, n) == self.original.get(n, "") for n in DOCUMENT_TRAITS)
        return self.stored_document and unchanged

    def insi_recovered(self) -> bool:
        return bool(self.insi_reference) or self.stored_insi

    def offered_statuses(self) -> list[IdentityStatus]:
        """The chooser's statuses: only what the evidence supports (« provisoire » always)."""
        return supported_statuses(
            document_checked=self.document_checked(), insi_recovered=self.insi_recovered()
        )

    def insi_notice(self) -> str:
        """Why « récupérée » and « qualifiée » are not offered, when this post cannot ask INSi."""
        return "" if self.insi_available or self.insi_recovered() else INSI_UNAVAILABLE

    def needs_parent(self) -> bool:
        return self.document_type in MINOR_FAMILY_DOCUMENTS

    def set_value(self, name: str, value: str) -> None:
        kept = ("original", "notices", "offered_phone", "insi_available", "stored_document", "stored_insi")
        if name not in {f.name for f in fields(self)} or name in kept:
            raise KeyError(name)
        setattr(self, name, value)
        if name == "city":  # typed by hand: the commune picked before no longer applies
            for other in COMMUNE_FIELDS:
                setattr(self, other, "")
        if name == "nir":
            self.notices.pop("nir", None)

    def choose_commune(self, commune: CommuneOut, postal_code: str | None = None) -> None:
        self.city = commune.name
        self.commune_insee = commune.insee_code
        self.postal_code = postal_code or (commune.postal_codes[0] if commune.postal_codes else "")
        self.latitude = "" if commune.latitude is None else str(commune.latitude)
        self.longitude = "" if commune.longitude is None else str(commune.longitude)

    def time_zone(self) -> str | None:
        """The zone of the patient's commune (overseas départements), for the intervention date."""
        return zone_of_insee(self.commune_insee)

    def choose_birth_place(self, commune: CommuneOut) -> None:
        self.birth_place_insee = commune.insee_code
        self.birth_place_name = commune.name

    def prefill_card_nir(self, nir: str) -> None:
        if nir and not self.nir:
            self.nir = nir
            self.notices["nir"] = CARD_NIR_NOTICE

    def nir_feedback(self, today: date) -> str | None:
        """Live check of the NIR as typed: structure, key, then sex and birth date."""
        if not self.nir.strip():
            return None
        errors: FieldErrors = {}
        check(errors, "nir", lambda: parse_nir(self.nir))
        if errors:
            return errors["nir"]
        try:
            born = parse_birth_date(self.birth_date, today)
        except ValueError:
            return None  # compared once the birth date is valid
        if self.sex in ("F", "M", "U"):
            check(errors, "nir", lambda: check_nir_matches_identity(parse_nir(self.nir), self.sex, born))
        return errors.get("nir")

    def offer_phone(self, typed: str) -> None:
        """The phone typed on « Recherche patient », when the known patient has not got it."""
        number = _normalised(typed)
        known = {_normalised(self.phone), _normalised(self.phone2)}
        self.offered_phone = display_phone(number) if number and number not in known else ""

    def keep_offered_phone(self, where: str) -> None:
        """`PHONE` replaces the phone (the old one goes to « Téléphone 2 » when that is empty),
        `PHONE2` fills « Téléphone 2 », `NOT_KEPT` leaves both (the operator said so)."""
        if where == PHONE:
            if not self.phone2.strip():
                self.phone2 = self.phone
            self.phone = self.offered_phone
        elif where == PHONE2:
            self.phone2 = self.offered_phone
        elif where != NOT_KEPT:
            raise ValueError(where)
        self.offered_phone = ""

    def validate(self, today: date) -> FieldErrors:
        errors: FieldErrors = {}
        if self.offered_phone:
            errors["offered_phone"] = OFFERED_PHONE.format(number=self.offered_phone)
        check_required({n: getattr(self, n) for n in MANDATORY}, MANDATORY, errors)
        if self.city.strip() and not self.commune_insee:
            errors.setdefault("city", "Choisissez la commune dans la liste proposée")
        if self.birth_date.strip():
            check(errors, "birth_date", lambda: parse_birth_date(self.birth_date, today))
        if self.ins_oid.strip():
            check(errors, "ins_oid", lambda: validate_ins_oid(self.ins_oid))
        feedback = self.nir_feedback(today)
        if feedback:
            errors.setdefault("nir", feedback)
        server_rules: FieldErrors = {}
        validate_model(PatientCreate, self.create_values(), server_rules, whole="patient")
        if any(name in errors for name in MANDATORY):  # already said field by field
            server_rules.pop("patient", None)
        for key, message in server_rules.items():
            errors.setdefault(key, message)
        for key, message in identity_errors(self, today).items():
            errors.setdefault(key, message)
        return errors

    def _value(self, name: str) -> Any:
        text = getattr(self, name).strip()
        if not text:
            return None
        if name == "birth_date":
            try:
                return parse_birth_date(text, date.max).isoformat()
            except ValueError:
                return text
        if name == "ins_oid":
            try:
                return validate_ins_oid(text).value  # « urn:oid:… » accepted, sent bare
            except ValueError:
                return text
        if name in ("latitude", "longitude"):
            return float(text)
        if name in PHONE_FIELDS:
            try:
                return normalize_phone(text)  # the server keeps +33…; an invalid one is refused there
            except ValueError:
                return text
        return text

    def create_values(self) -> dict[str, Any]:
        values = {name: self._value(name) for name in SENT_FIELDS}
        body = {name: value for name, value in values.items() if value is not None}
        body["acknowledge_duplicates"] = self.acknowledge_duplicates
        return {**body, **evidence_values(self)}

    def create_body(self) -> PatientCreate:
        return PatientCreate.model_validate(self.create_values())

    def patch_body(self) -> PatientPatch | None:
        """Only what changed since the patient was loaded, with the version read; None if nothing."""
        if self.patient_id is None or self.version is None:
            raise ValueError("not an existing patient")
        changed = {n: self._value(n) for n in SENT_FIELDS if getattr(self, n) != self.original.get(n, "")}
        changed.update(evidence_values(self))
        if not changed:
            return None
        return PatientPatch.model_validate({**changed, "version": self.version})
