"""Registration policy (pjsua2-free): what a SIP answer means, back-off, operator messages."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from telephony.events import RegistrationChanged, RegistrationStatus

AUTH_CODES = frozenset({401, 403, 407})


@dataclass(slots=True)
class Backoff:
    """Delays 1, 2, 4… seconds up to ``maximum``, with ±10 % jitter so operators do not sync up."""

    first: float = 1.0
    maximum: float = 30.0
    jitter: float = 0.1
    attempts: int = 0
    _random: random.Random = field(default_factory=random.Random)

    def next_delay(self) -> float:
        base = min(self.maximum, self.first * 2.0**self.attempts)
        self.attempts += 1
        return base * (1 + self._random.uniform(-self.jitter, self.jitter))

    def reset(self) -> None:
        self.attempts = 0


def registered(code: int, reason: str, expires: int) -> RegistrationChanged:
    return RegistrationChanged(
        RegistrationStatus.REGISTERED,
        code,
        reason,
        f"Connecté au serveur d'appels (inscription renouvelée toutes les {expires} s)",
    )


def unregistered(code: int, reason: str) -> RegistrationChanged:
    return RegistrationChanged(
        RegistrationStatus.UNREGISTERED, code, reason, "Déconnecté du serveur d'appels"
    )


def registering() -> RegistrationChanged:
    return RegistrationChanged(RegistrationStatus.REGISTERING, 0, "", "Connexion au serveur d'appels…")


def auth_failed(code: int, reason: str) -> RegistrationChanged:
    return RegistrationChanged(
        RegistrationStatus.AUTH_FAILED,
        code,
        reason,
        "Identifiant ou mot de passe SIP refusé par le serveur d'appels : vérifiez-les dans les réglages",
    )


def retrying(code: int, reason: str, delay: float | None) -> RegistrationChanged:
    """Registration lost or refused; ``delay`` None: no answer yet, the request is still repeated."""
    if code in (0, 408, 503) or code >= 700:
        why = "serveur d'appels injoignable"
    else:
        why = f"le serveur d'appels a refusé l'inscription ({code} {reason})"
    then = "nouvel essai en cours" if delay is None else f"nouvel essai dans {max(1, round(delay))} s"
    return RegistrationChanged(
        RegistrationStatus.RETRYING, code, reason, f"Téléphone hors service : {why}, {then}", delay
    )
