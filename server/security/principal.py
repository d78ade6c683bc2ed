"""Who is asking: the authenticated caller as every service receives it, and the role groups."""

from __future__ import annotations

from dataclasses import dataclass

from server.models import User
from server.security.tokens import TokenHolder
from shared.domain import Role

STAFF = (Role.OPERATOR, Role.SECRETARY, Role.SUPERVISOR)
EVERYONE = tuple(Role)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, detached from any database session."""

    id: int
    username: str
    role: Role
    display_name: str
    network_ids: tuple[int, ...]
    rpps: str | None = None

    @classmethod
    def of(cls, user: User) -> Principal:
        rpps = user.professional.rpps if user.professional is not None else None
        return cls(user.id, user.username, Role(user.role), user.display_name, tuple(user.network_ids), rpps)

    @classmethod
    def of_holder(cls, holder: TokenHolder) -> Principal:
        return cls(
            holder.user_id,
            holder.username,
            Role(holder.role),
            holder.display_name,
            holder.network_ids,
            holder.rpps,
        )
