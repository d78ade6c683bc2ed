"""The administrator's « Accueil » (the counts of `GET /admin/overview`, only what exists), and the
CSV file saved from the server's bytes."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from desktop.state import times
from shared.domain import Role
from shared.schemas.back_office import BackOfficeOverview

ROLE_PLURALS = {
    Role.OPERATOR: "opérateur(s)",
    Role.SECRETARY: "secrétaire(s)",
    Role.SUPERVISOR: "superviseur(s)",
    Role.ADMIN: "administrateur(s)",
}
BLOCKED_SHOWN = 5


def overview_lines(overview: BackOfficeOverview) -> list[str]:
    """One French line per count; the blocked accounts with the time their block ends (Paris)."""
    staff = ", ".join(
        f"{overview.users_by_role.get(r.value, 0)} {label}" for r, label in ROLE_PLURALS.items()
    )
    lines = [
        f"Comptes actifs : {staff}",
        f"Professionnels : {overview.professionals_active} actif(s), "
        f"{overview.professionals_inactive} désactivé(s)",
        f"Comptes désactivés (tous rôles) : {overview.inactive_users}",
        f"Réseaux : {overview.networks}",
        f"Accès refusés ces dernières 24 h : {overview.refusals_last_24h}",
        f"Inscriptions à valider : {overview.registrations_to_review}",
    ]
    blocked = overview.blocked_logins
    if not blocked:
        lines.append("Aucun compte bloqué par les essais de connexion")
        return lines
    shown = []
    for item in blocked[:BLOCKED_SHOWN]:
        until = datetime.fromisoformat(item.blocked_until)
        shown.append(f"{item.username} (jusqu'à {times.clock_time(until)})")
    more = f" et {len(blocked) - BLOCKED_SHOWN} autre(s)" if len(blocked) > BLOCKED_SHOWN else ""
    lines.append(f"Comptes bloqués par les essais de connexion : {', '.join(shown)}{more}")
    return lines


def save_file(path: Path, data: bytes) -> None:
    """Written whole or not at all: a temporary file beside it, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
