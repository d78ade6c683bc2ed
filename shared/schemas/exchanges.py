"""Comments and documents on a prescription, and incidents reported to supervisors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from shared.schemas.common import SHORT_MAX, ApiModel, BlankIsNone, PersonRef, RequiredText

# « Limitation à 2 Mo par fichier » (seeds): read as 2 MiB, the size every file manager shows as
# « 2 Mo »; a file a user sees as 2 Mo is then never refused.
DOCUMENT_MAX_BYTES = 2 * 1024 * 1024
DOCUMENT_NAME_MAX = 200
DOCUMENT_TYPES_MESSAGE = "Seuls les fichiers JPG, PNG et PDF sont acceptés"
DOCUMENT_SIZE_MESSAGE = "Limitation à 2 Mo par fichier"


ExchangeText = RequiredText
Tag = Annotated[str | None, Field(max_length=SHORT_MAX), BlankIsNone]


class CommentCreate(ApiModel):
    text: ExchangeText
    tag: Tag = None


class CommentOut(BaseModel):
    id: int
    prescription_id: int
    text: str
    tag: str | None
    author: PersonRef
    at: datetime


class DocumentOut(BaseModel):
    id: int
    prescription_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    author: PersonRef
    at: datetime


class IncidentCreate(ApiModel):
    text: ExchangeText
    prescription_id: int | None = Field(default=None, ge=1)
    case_id: int | None = Field(default=None, ge=1)


class IncidentOut(BaseModel):
    id: int
    text: str
    author: PersonRef
    network_ids: list[int]
    prescription_id: int | None
    case_id: int | None
    at: datetime
