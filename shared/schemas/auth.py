"""Login and the identity of the caller."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.domain import Role
from shared.schemas.common import ApiModel


class LoginRequest(ApiModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)


class UserOut(BaseModel):
    id: int
    username: str
    role: Role
    display_name: str
    network_ids: list[int]
    active: bool = True
    practice: list[str] = Field(
        default_factory=list,
        description="A practice secretary's professionals, by name (her « Service »); empty for others",
    )


class LoginResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_at: datetime
    user: UserOut
    # the change feed's last seq when the session began: a desktop that never followed the feed
    # starts there (what came before, it reads from the API), with no event of the session missed
    feed_head: int = 0
