"""Leaving the desktop: quitting, « Se déconnecter », « Changer d'utilisateur » (no Qt).

A 24/7 hotline hands the workstation over at each shift: the one who leaves logs out (the
softphone unregisters, the session's token is revoked on the server) and the next one logs in on
the same program. What belongs to the one who leaves stays theirs: drafts and the outbox live in
their own local file (``local-<user>.sqlite3``), offered again at their next login on this
workstation and never shown to the next user. Leaving while a call is up drops the line, and
leaving while items wait in the outbox postpones them: both are asked first, « Rester » being the
default answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Leaving(StrEnum):
    QUIT = "quit"
    LOGOUT = "logout"
    SWITCH_USER = "switch_user"

    @property
    def label(self) -> str:
        return {
            Leaving.QUIT: "Quitter",
            Leaving.LOGOUT: "Se déconnecter",
            Leaving.SWITCH_USER: "Changer d'utilisateur",
        }[self]

    @property
    def ends_the_session(self) -> bool:
        """Logging out and changing user revoke the token; quitting keeps the login for next time."""
        return self is not Leaving.QUIT


@dataclass(frozen=True)
class LeaveQuestion:
    title: str
    text: str
    confirm: str  # the button that leaves
    stay: str = "Rester"  # the default button


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many.format(count=count)


def leave_question(leaving: Leaving, *, calls_up: int, waiting: int) -> LeaveQuestion | None:
    """What to ask before leaving; None when nothing would be lost or postponed."""
    if calls_up <= 0 and waiting <= 0:
        return None
    lines: list[str] = []
    if calls_up > 0:
        one = "Un appel est en cours : il sera coupé."
        lines.append(_plural(calls_up, one, "{count} appels sont en cours : ils seront coupés."))
    if waiting > 0:
        when = (
            "au prochain démarrage de Centrale sur ce poste"
            if leaving is Leaving.QUIT
            else "à votre prochaine connexion sur ce poste"
        )
        lines.append(
            _plural(
                waiting,
                f"Un envoi attend le serveur : il partira {when}.",
                f"{{count}} envois attendent le serveur : ils partiront {when}.",
            )
        )
    title = {
        Leaving.QUIT: "Quitter Centrale ?",
        Leaving.LOGOUT: "Se déconnecter ?",
        Leaving.SWITCH_USER: "Changer d'utilisateur ?",
    }[leaving]
    return LeaveQuestion(title, "\n".join(lines), f"{leaving.label} quand même")


def handover_notice(display_name: str) -> str:
    """What the login dialog says after a logout or a change of user."""
    return (
        f"Session de {display_name} fermée. Ses brouillons et ses envois en attente restent sur ce "
        "poste : ils lui seront proposés à sa prochaine connexion."
    )
