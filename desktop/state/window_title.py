"""The main window's title: who is logged in, and in what capacity (no Qt).

A supervisor's title says what he watches: the hotline's own supervisor (a supervisor with no
network: ``server/services/board.py``, ``is_platform_supervisor``) the whole platform, a network
supervisor his networks — named once their names are read, « n° 3 » until then."""

from __future__ import annotations

from collections.abc import Mapping

from shared.domain import Role
from shared.schemas.auth import UserOut

APP = "Centrale"


def is_platform_supervisor(user: UserOut) -> bool:
    return user.role is Role.SUPERVISOR and not user.network_ids


def capacity(user: UserOut, network_names: Mapping[int, str] | None = None) -> str:
    """« Opérateur », « Superviseur de la plateforme », « Superviseur du réseau CPTS Nord »…"""
    if user.role is not Role.SUPERVISOR:
        return user.role.label
    if is_platform_supervisor(user):
        return "Superviseur de la plateforme"
    names = network_names or {}
    shown = [names.get(network_id, f"n° {network_id}") for network_id in user.network_ids]
    if len(shown) == 1:
        return f"Superviseur du réseau {shown[0]}"
    return f"Superviseur des réseaux {', '.join(shown)}"


def window_title(user: UserOut, network_names: Mapping[int, str] | None = None) -> str:
    return f"{APP} — {user.display_name} ({capacity(user, network_names)})"
