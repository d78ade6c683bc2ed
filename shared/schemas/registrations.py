"""Enrolment (« S'enregistrer »): the public form, its verifications, the team's review, and the
self-service password reset. The JSON shapes are documented in docs/server.md (« Enrolment »)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, Field, model_validator

from shared.schemas.common import (
    TEXT_MAX,
    ApiModel,
    Email,
    FirstName,
    InseeCode,
    LastName,
    Password,
    ProfessionCode,
    Username,
)
from shared.validation import ValidationFailure
from shared.validation.enrolment import validate_mobile_phone, validate_professional_identifier

RegistrationStatus = Literal["unverified", "to_review", "approved", "rejected"]
STATUS_LABELS: dict[str, str] = {
    "unverified": "En attente des vérifications (SMS et e-mail)",
    "to_review": "À valider par l'équipe",
    "approved": "Validée",
    "rejected": "Refusée",
}
MobilePhone = Annotated[str, Field(max_length=40), AfterValidator(validate_mobile_phone)]
NETWORK_NAME_MAX = 120
REASON_MAX = 1000


def _required(label: str) -> Any:
    def check(value: str) -> str:
        if not value.strip():
            raise ValidationFailure("text_required", f"{label} : champ obligatoire")
        return value

    return AfterValidator(check)


class RegistrationCreate(ApiModel):
    """The public form. `identifier` is checked for its kind (RPPS: 11 digits and Luhn key; ADELI:
    9 digits, only for a profession without RPPS: shared/validation/enrolment.py)."""

    identifier_kind: Literal["rpps", "adeli"]
    identifier: str = Field(max_length=20)
    last_name: LastName
    first_name: FirstName
    profession_code: ProfessionCode
    phone: MobilePhone
    email: Email
    commune_insee: InseeCode
    address_line: Annotated[str, Field(max_length=TEXT_MAX), _required("Adresse")]
    network_name: str | None = Field(default=None, max_length=NETWORK_NAME_MAX)
    network_id: int | None = None
    password: Password

    @model_validator(mode="after")
    def _identifier(self) -> Self:
        self.identifier = validate_professional_identifier(
            self.identifier_kind, self.identifier, self.profession_code
        )
        self.email = self.email.lower()
        if self.network_name is not None and not self.network_name.strip():
            self.network_name = None
        return self


class RegistrationCreated(BaseModel):
    """The same answer whether or not the identifier or the e-mail already has an account.
    `token` is the applicant's proof for the next steps (header `X-Registration-Token`)."""

    id: int
    status: RegistrationStatus
    token: str


class PhoneCode(ApiModel):
    code: str = Field(max_length=12)


class EmailConfirmation(ApiModel):
    token: str = Field(max_length=1000)


class RegistrationProgress(BaseModel):
    """What the applicant may know of their own registration."""

    id: int
    status: RegistrationStatus
    status_label: str
    phone_verified: bool
    email_verified: bool
    document_received: bool


class Flag(BaseModel):
    """Something the reviewer must look at: `directory_unknown`, `directory_mismatch`,
    `identifier_has_account`, `email_has_account`, `phone_has_account`, `network_new`."""

    code: str
    message: str


class DirectoryRecord(BaseModel):
    last_name: str
    first_name: str | None
    profession_code: str | None
    profession: str | None
    commune: str | None


class RegistrationOut(BaseModel):
    """A registration as the reviewer reads it (`GET /admin/registrations/{id}`); the list gives
    the same shape without the document's bytes."""

    id: int
    status: RegistrationStatus
    status_label: str
    identifier_kind: Literal["rpps", "adeli"]
    identifier: str
    last_name: str
    first_name: str
    profession_code: str
    profession: str
    phone: str
    email: str
    commune_insee: str
    commune_name: str
    postal_code: str | None
    address_line: str
    network_name: str | None
    network_id: int | None
    flags: list[Flag]
    directory: DirectoryRecord | None
    document_content_type: str | None
    document_size: int | None
    phone_verified_at: datetime | None
    email_verified_at: datetime | None
    created_at: datetime
    reviewed_by: int | None
    reviewed_at: datetime | None
    reject_reason: str | None
    user_id: int | None
    username: str | None


class Approval(ApiModel):
    """Approve: the network the professional joins — an existing one (`network_id`), the name
    they typed created as a new network (`create_network`), or none; `username` overrides the
    one derived from their name."""

    network_id: int | None = None
    create_network: bool = False
    username: Username | None = None


class Rejection(ApiModel):
    reason: Annotated[str, Field(max_length=REASON_MAX), _required("Motif")]


class Unblocked(BaseModel):
    user_id: int
    username: str
    was_blocked: bool


class ResetRequest(ApiModel):
    """« Mot de passe oublié »: the account's username, e-mail or mobile phone, and where to
    receive the link (e-mail) or the 6-digit code (SMS)."""

    login: str = Field(min_length=1, max_length=254)
    channel: Literal["email", "sms"] = "email"


class ResetRequested(BaseModel):
    """The same answer whether or not the account exists; `ticket` goes with the SMS code."""

    channel: Literal["email", "sms"]
    ticket: str | None
    message: str


class ResetConfirm(ApiModel):
    """Either the e-mailed link's `token`, or the SMS `ticket` with its `code`; and the new password."""

    token: str | None = Field(default=None, max_length=200)
    ticket: str | None = Field(default=None, max_length=200)
    code: str | None = Field(default=None, max_length=12)
    password: Password

    @model_validator(mode="after")
    def _one_way(self) -> Self:
        if not self.token and not (self.ticket and self.code):
            raise ValidationFailure(
                "reset_proof_missing", "Indiquez le lien reçu par e-mail, ou le code reçu par SMS"
            )
        return self
