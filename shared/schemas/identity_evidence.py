"""The evidence behind a patient's identity status (RNIV): the document checked, the INSi answer.

The rules are in shared/validation/identity_vigilance.py; the server stores the evidence with who
checked it and when (server/services/identity_vigilance.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from shared.domain import Sex
from shared.schemas.common import (
    ApiModel,
    BirthDate,
    BirthLastName,
    FirstName,
    InseeCode,
    LastName,
    Nir,
)
from shared.validation.identity_vigilance import IdentityDocument

INSI_REFERENCE_MAX = 64
InsiReference = Annotated[
    str, Field(min_length=1, max_length=INSI_REFERENCE_MAX, pattern=r"^[A-Za-z0-9._:-]+$")
]


class ParentIdentity(ApiModel):
    """For a minor's family record book or birth certificate: the parent seen, and their document."""

    last_name: LastName
    first_name: FirstName
    document: IdentityDocument


class IdentityDocumentIn(ApiModel):
    """« Pièce d'identité vérifiée »: the operator saw it; the server records who and when."""

    type: IdentityDocument
    parent: ParentIdentity | None = None


class CheckedDocument(BaseModel):
    type: IdentityDocument
    label: str
    parent: ParentIdentity | None = None
    checked_by: str
    checked_at: datetime


class RecoveredIns(BaseModel):
    reference: str
    recovered_by: str
    recovered_at: datetime


class IdentityEvidenceOut(BaseModel):
    document: CheckedDocument | None = None
    insi: RecoveredIns | None = None


class InsiQuery(ApiModel):
    """A search of the INSi teleservice by traits (the Carte Vitale's NIR may help, never alone)."""

    birth_last_name: BirthLastName
    first_name: FirstName
    sex: Sex
    birth_date: BirthDate
    birth_place_insee: InseeCode | None = None
    nir: Nir | None = None


class InsiIdentityOut(BaseModel):
    """The identity the teleservice returned; `reference` is what a patient's « récupérée » cites."""

    reference: str
    nir: str
    ins_oid: str
    birth_last_name: str
    birth_first_names: str
    sex: Sex
    birth_date: date
    birth_place_insee: str


class InsiAvailability(BaseModel):
    available: bool
    detail: str
