"""« Utilisateurs » and « Réseaux »: the rows as shown (French role names, network names, state), the
new user's form checked with the server's rules before it is sent (no password: the account chooses
its own with a one-time link, issue 17), what the admin is told of that link."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from desktop.state.times import date_time
from shared.domain import Role
from shared.schemas.admin import PasswordLinkIssued, ProfessionalOut
from shared.schemas.auth import UserOut
from shared.schemas.back_office import AdminUserOut, NetworkSummary
from shared.schemas.common import USERNAME_PATTERN

STAFF_ROLES = (Role.OPERATOR, Role.SECRETARY, Role.SUPERVISOR, Role.ADMIN)
USER_COLUMNS = ("Identifiant", "Nom affiché", "Rôle", "Réseaux", "État")
NETWORK_COLUMNS = ("Réseau", "Membres", "dont professionnels", "Comptes actifs")


class FormInvalid(ValueError):
    """What is wrong with a form, one French line per field (label → message)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("\n".join(f"{label} : {message}" for label, message in errors.items()))
        self.errors = errors


def state_label(active: bool) -> str:
    return "Actif" if active else "Désactivé"


def blocked_label(until: datetime) -> str:
    """« connexion bloquée jusqu'au 04/12/2026 23:45 » (Europe/Paris)."""
    return f"connexion bloquée jusqu'au {date_time(until)}"


def user_state_label(user: UserOut) -> str:
    """« Actif », « Désactivé », and the login block in force when the list has one."""
    label = state_label(user.active)
    if isinstance(user, AdminUserOut) and user.blocked_until is not None:
        label = f"{label} · {blocked_label(user.blocked_until)}"
    return label


def network_names(ids: list[int], names: dict[int, str]) -> str:
    return ", ".join(names.get(i, f"n° {i}") for i in ids)


@dataclass(frozen=True)
class UserRow:
    user: UserOut
    cells: tuple[str, ...]

    @classmethod
    def of(cls, user: UserOut, names: dict[int, str]) -> UserRow:
        cells = (
            user.username,
            user.display_name,
            user.role.label,
            network_names(user.network_ids, names),
            user_state_label(user),
        )
        return cls(user, cells)

    @property
    def blocked(self) -> bool:
        return isinstance(self.user, AdminUserOut) and self.user.blocked_until is not None


EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def link_notice(issued: PasswordLinkIssued | None) -> str:
    """What the admin is told of the new account's set-password link: sent by e-mail or SMS, or —
    neither given — the link itself, shown once to hand over in person."""
    if issued is None:
        return ""
    if issued.link:
        return f"{issued.message} Lien : {issued.link}"
    return issued.message


@dataclass
class UserForm:
    """« Nouvel utilisateur » / « Modifier »: what the dialog holds."""

    username: str = ""
    display_name: str = ""
    role: Role = Role.OPERATOR
    network_ids: tuple[int, ...] = ()
    email: str = ""
    phone: str = ""
    # A secretary's practice (« Cabinet (secrétariat) »): as checked, and as loaded when editing.
    practice_ids: tuple[int, ...] = ()
    practice_saved: tuple[int, ...] = ()

    def practice_update(self) -> dict[str, object] | None:
        """The body of `PUT /admin/users/{id}/practice` when a secretary's practice changed, else None."""
        if self.role is not Role.SECRETARY or sorted(set(self.practice_ids)) == sorted(self.practice_saved):
            return None
        return {"professional_ids": sorted(set(self.practice_ids))}

    def creation(self) -> dict[str, object]:
        """The body of `POST /admin/users`; raises FormInvalid."""
        errors: dict[str, str] = {}
        username = self.username.strip()
        if not re.match(USERNAME_PATTERN, username):
            errors["Identifiant"] = "3 à 64 caractères parmi a-z, 0-9, « . », « _ » et « - »"
        errors.update(self._name_errors())
        email, phone = self.email.strip(), self.phone.strip()
        if email and not EMAIL_SHAPE.fullmatch(email):
            errors["E-mail"] = "adresse invalide (nom@domaine.fr attendu)"
        if errors:
            raise FormInvalid(errors)
        body: dict[str, object] = {
            "username": username,
            "role": self.role.value,
            "display_name": self.display_name.strip(),
            "network_ids": sorted(self.network_ids),
        }
        # No password: the account chooses its own with a one-time link, sent to these if given.
        body.update({k: v for k, v in (("email", email), ("phone", phone)) if v})
        return body

    def changes(self, user: UserOut) -> dict[str, object]:
        """The body of `PATCH /admin/users/{id}`: only what differs; raises FormInvalid."""
        errors = self._name_errors()
        if errors:
            raise FormInvalid(errors)
        body: dict[str, object] = {}
        if self.display_name.strip() != user.display_name:
            body["display_name"] = self.display_name.strip()
        if self.role is not user.role:
            body["role"] = self.role.value
        if sorted(self.network_ids) != sorted(user.network_ids):
            body["network_ids"] = sorted(self.network_ids)
        return body

    def _name_errors(self) -> dict[str, str]:
        name = self.display_name.strip()
        if not 1 <= len(name) <= 120:
            return {"Nom affiché": "obligatoire, 120 caractères au plus"}
        return {}


@dataclass(frozen=True)
class NetworkRow:
    network: NetworkSummary
    cells: tuple[str, ...]

    @classmethod
    def of(cls, network: NetworkSummary) -> NetworkRow:
        cells = (
            network.name,
            str(network.members),
            str(network.professionals),
            str(network.active_members),
        )
        return cls(network, cells)


def check_network_name(name: str) -> str:
    """The name as it will be sent; raises FormInvalid."""
    cleaned = " ".join(name.split())
    if not 2 <= len(cleaned) <= 120:
        raise FormInvalid({"Nom du réseau": "entre 2 et 120 caractères"})
    return cleaned


# ---- « Cabinet (secrétariat) »: the professionals a secretary works for (issue 17, item 16) -------

PRACTICE_LABEL = "Cabinet (secrétariat)"


def professional_label(professional: ProfessionalOut) -> str:
    """« DUPONT Jeanne — Médecin — RPPS 10000000001 », with « (désactivé) » when so."""
    label = (
        f"{professional.last_name.upper()} {professional.first_name} — {professional.profession} "
        f"— RPPS {professional.rpps}"
    )
    return label if professional.active else f"{label} (désactivé)"


def practice_criteria(text: str) -> dict[str, str]:
    """`GET /admin/professionals`'s criteria for what was typed: an RPPS (digits) or name prefixes;
    raises FormInvalid."""
    typed = " ".join(text.split())
    if not typed:
        raise FormInvalid({PRACTICE_LABEL: "saisissez un nom ou un numéro RPPS"})
    if typed.replace(" ", "").isdigit():
        digits = typed.replace(" ", "")
        if len(digits) > 11:
            raise FormInvalid({PRACTICE_LABEL: "un numéro RPPS a 11 chiffres"})
        return {"rpps": digits}
    if len(typed) > 100:
        raise FormInvalid({PRACTICE_LABEL: "100 caractères au plus"})
    return {"q": typed}


@dataclass
class PracticeChoice:
    """The checked list of the dialog: the professionals already in the practice (checked) and those
    found by a search (unchecked until ticked), each once, sorted by name."""

    labels: dict[int, str] = field(default_factory=dict)
    checked: set[int] = field(default_factory=set)

    def load(self, saved: list[ProfessionalOut]) -> None:
        for professional in saved:
            self.labels[professional.user_id] = professional_label(professional)
            self.checked.add(professional.user_id)

    def found(self, professionals: list[ProfessionalOut]) -> None:
        for professional in professionals:
            self.labels[professional.user_id] = professional_label(professional)

    def tick(self, professional_id: int, on: bool) -> None:
        if on:
            self.checked.add(professional_id)
        else:
            self.checked.discard(professional_id)

    def rows(self) -> list[tuple[int, str, bool]]:
        """(id, label, checked): the checked first, then by label."""
        ordered = sorted(self.labels.items(), key=lambda kv: (kv[0] not in self.checked, kv[1].casefold()))
        return [(pid, label, pid in self.checked) for pid, label in ordered]

    def chosen(self) -> tuple[int, ...]:
        return tuple(sorted(self.checked))
