"""Patients: identity (identitovigilance), contact, address, usual professionals, timeline."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, field_validator, model_validator

from shared.domain import IdentityStatus, InsuranceScheme, Sex
from shared.schemas.admin import Rpps
from shared.schemas.common import (
    NAME_MAX,
    ApiModel,
    BirthDate,
    BirthFirstNames,
    BirthLastName,
    Email,
    FirstName,
    InseeCode,
    LastName,
    Nir,
    PhoneNumber,
    PostalCode,
    ProfessionCode,
    ShortText,
    Text,
)
from shared.schemas.identity_evidence import IdentityDocumentIn, IdentityEvidenceOut, InsiReference
from shared.schemas.labels import FIELD_LABELS
from shared.validation import InsOid, ValidationFailure, check_nir_matches_identity, parse_nir

# Mandatory to create a patient: the search-step traits (phone, names, birth date) and the
# patient-step ones (sex, address), as the tutorial's wizard requires before a case can be sent.
MANDATORY_FIELDS = (
    "phone",
    "last_name",
    "first_name",
    "birth_date",
    "sex",
    "address_line",
    "postal_code",
    "city",
)


# Occupation and city are stored in 100-character columns (a longer value made PostgreSQL fail).
ColumnText = Annotated[str, Field(max_length=NAME_MAX)]
# Control characters (NUL breaks PostgreSQL text columns); tab and line breaks are tolerated.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
ADVANCE_DIRECTIVES_MAX = 4000
TRUSTED_PERSONS_MAX = 10
# The care record (« Directives anticipées », « Personnes de confiance »): written by the staff and
# by the acceptor of a begun prescription, who may change nothing else of the patient's file.
CARE_RECORD_FIELDS = ("advance_directives", "trusted_persons")
# The evidence of the identity status (RNIV), sent beside the fields and stored apart from them
# (server/services/identity_vigilance.py): the document checked, the INSi answer's reference.
EVIDENCE_FIELDS = ("identity_document", "insi_reference")


class TrustedPerson(ApiModel):
    """« Personne de confiance »: who to call, and who they are to the patient."""

    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
    relation: Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
    phone: PhoneNumber


class PatientFields(ApiModel):
    """Every patient field, all optional; create and patch narrow it down."""

    last_name: LastName | None = None
    first_name: FirstName | None = None
    birth_last_name: BirthLastName | None = None
    birth_first_names: BirthFirstNames | None = None
    sex: Sex | None = None
    birth_date: BirthDate | None = None
    birth_place_insee: InseeCode | None = None
    nir: Nir | None = None
    ins_oid: InsOid | None = None
    identity_status: IdentityStatus | None = None
    occupation: ColumnText | None = None
    insurance_scheme: InsuranceScheme | None = None
    phone: PhoneNumber | None = None
    phone2: PhoneNumber | None = None
    email: Email | None = None
    address_line: Text | None = None
    address_complement: Text | None = None
    building: ShortText | None = None
    staircase: ShortText | None = None
    floor: ShortText | None = None
    digicode: ShortText | None = None
    intercom: ShortText | None = None
    door: ShortText | None = None
    postal_code: PostalCode | None = None
    city: ColumnText | None = None
    commune_insee: InseeCode | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    advance_directives: Annotated[str, Field(max_length=ADVANCE_DIRECTIVES_MAX)] | None = None
    trusted_persons: list[TrustedPerson] | None = Field(default=None, max_length=TRUSTED_PERSONS_MAX)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        if isinstance(value, str) and _CONTROL_CHARACTERS.search(value):
            raise ValidationFailure(
                "control_characters", "Le texte contient des caractères de contrôle interdits"
            )
        return value


class PatientCreate(PatientFields):
    identity_status: IdentityStatus = IdentityStatus.PROVISIONAL
    acknowledge_duplicates: bool = False
    identity_document: IdentityDocumentIn | None = None
    insi_reference: InsiReference | None = None

    @model_validator(mode="after")
    def _complete_and_coherent(self) -> Self:
        missing = [name for name in MANDATORY_FIELDS if getattr(self, name) in (None, "")]
        if missing:
            labels = ", ".join(FIELD_LABELS[name] for name in missing)
            raise ValidationFailure("patient_incomplete", f"Champs obligatoires manquants : {labels}")
        # The evidence the status needs (RNIV) is checked by the server's patient service, which
        # audits a refusal (server/services/identity_vigilance.py), and by the desktop's chooser.
        check_identity(self.model_dump())
        return self


class PatientPatch(PatientFields):
    version: int = Field(ge=1)
    identity_document: IdentityDocumentIn | None = None
    insi_reference: InsiReference | None = None

    @model_validator(mode="after")
    def _mandatory_not_cleared(self) -> Self:
        # identity_status is optional on create (it defaults) but never empty once stored.
        required = (*MANDATORY_FIELDS, "identity_status")
        cleared = [n for n in required if n in self.model_fields_set and getattr(self, n) in (None, "")]
        if cleared:
            labels = ", ".join(FIELD_LABELS[name] for name in cleared)
            raise ValidationFailure("patient_incomplete", f"Ces champs ne peuvent pas être vidés : {labels}")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields sent, as stored (trusted persons as plain objects; none sent means none)."""
        dumped = self.model_dump(include=self.model_fields_set - {"version", *EVIDENCE_FIELDS})
        if "trusted_persons" in dumped:
            dumped["trusted_persons"] = dumped["trusted_persons"] or []
        return dumped


def check_identity(values: dict[str, Any]) -> None:
    """Rules that tie fields together; run on a complete patient (after a patch too)."""
    nir_text = values.get("nir")
    if nir_text:
        nir = parse_nir(nir_text)
        check_nir_matches_identity(nir, str(values["sex"]), values["birth_date"])
    status = IdentityStatus(values.get("identity_status") or IdentityStatus.PROVISIONAL)
    # RNIV volet 1 (shared/validation/identity_vigilance.py): the 5 strict traits, birth place included,
    # from « validée » up; the INS too when it was recovered (« récupérée », « qualifiée »).
    if status != IdentityStatus.PROVISIONAL:
        with_ins = status in (IdentityStatus.RECOVERED, IdentityStatus.QUALIFIED)
        traits = ("birth_last_name", "birth_first_names", "birth_place_insee")
        strict: tuple[str, ...] = ("nir", *traits) if with_ins else traits
        missing = [FIELD_LABELS[name] for name in strict if not values.get(name)]
        if values.get("sex") in (None, Sex.UNKNOWN):
            missing.append(FIELD_LABELS["sex"])
        if missing:
            needed = "les 5 traits stricts sont obligatoires"
            needed = f"l'INS et {needed}" if with_ins else needed
            listed = ", ".join(missing)
            raise ValidationFailure("ins_incomplete", f"{status.label} : {needed} (manque : {listed})")


class UsualProfessionalIn(ApiModel):
    profession_code: ProfessionCode
    rpps: Rpps
    last_name: LastName | None = None
    first_name: FirstName | None = None


class UsualProfessionalOut(BaseModel):
    profession_code: str
    profession: str
    rpps: str
    last_name: str | None
    first_name: str | None
    registered: bool
    user_id: int | None


class PatientOut(BaseModel):
    id: int
    version: int
    last_name: str
    first_name: str
    birth_last_name: str | None
    birth_first_names: str | None
    sex: Sex
    birth_date: date
    age: int
    birth_place_insee: str | None
    nir: str | None
    ins_oid: str | None
    identity_status: IdentityStatus
    occupation: str | None
    insurance_scheme: InsuranceScheme | None
    phone: str
    phone2: str | None
    email: str | None
    address_line: str
    address_complement: str | None
    building: str | None
    staircase: str | None
    floor: str | None
    digicode: str | None
    intercom: str | None
    door: str | None
    postal_code: str
    city: str
    commune_insee: str | None
    latitude: float | None
    longitude: float | None
    advance_directives: str | None = None
    trusted_persons: list[TrustedPerson] = []
    identity_evidence: IdentityEvidenceOut = IdentityEvidenceOut()
    usual_professionals: list[UsualProfessionalOut]
    created_at: datetime
    updated_at: datetime


class DuplicateHint(BaseModel):
    id: int
    reasons: list[str]


class PatientMatch(BaseModel):
    """A search result: a short identity, why it matched, and the patients it may duplicate."""

    id: int
    last_name: str
    first_name: str
    birth_last_name: str | None
    birth_date: date
    age: int
    sex: Sex
    phone: str
    postal_code: str
    city: str
    identity_status: IdentityStatus
    match: Literal["exact", "similar"]
    reasons: list[str]
    likely_duplicates: list[DuplicateHint]


class PatientSearchResult(BaseModel):
    items: list[PatientMatch]
    truncated: bool


class TimelineEntry(BaseModel):
    at: datetime
    kind: str
    label: str
    by: str | None
    data: dict[str, Any]
