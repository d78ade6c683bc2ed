"""« Téléphonie » (the admin's back office, issue 19): the hotline's settings as a form, without Qt.

The two lists (pause reasons, call qualifications) are edited as text, one entry a line,
« code = Libellé » (« repas = Repas »); the numbers and the strategy beside them. ``checked``
gives the `HotlineSettings` to `PUT /hotline/settings`, or the French message of each field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from shared.schemas.hotline import CODE_PATTERN, UNANSWERED_PAUSE, Code, HotlineSettings

STRATEGIES = {
    "longest_idle": "Le plus longtemps inactif d'abord",
    "ring_all": "Tous les disponibles en même temps",
}
NUMBERS = {  # field → (French label, min, max)
    "wrap_up_seconds": ("Durée du post-appel (s)", 0, 3600),
    "unanswered_limit": ("Appels non répondus avant la pause", 1, 20),
    "ring_seconds": ("Durée de sonnerie d'une offre (s)", 5, 120),
    "service_level_seconds": ("Niveau de service : décroché en moins de (s)", 1, 600),
    "service_level_target_percent": ("Objectif de niveau de service (%)", 1, 100),
}
LIST_FIELDS = {"pause_reasons": "Motifs de pause", "qualifications": "Qualifications d'appel"}
_CODE = re.compile(CODE_PATTERN)


def codes_text(codes: list[Code]) -> str:
    return "\n".join(f"{c.code} = {c.label}" for c in codes)


def parse_codes(text: str) -> tuple[list[Code], str]:
    """The entries of one list, or the French message of its first wrong line."""
    codes: list[Code] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, sep, label = (part.strip() for part in line.partition("="))
        if not sep or not label:
            return [], f"Ligne {number} : écrivez « code = Libellé » (par exemple « repas = Repas »)"
        if not _CODE.match(code):
            return [], f"Ligne {number} : le code « {code} » ne doit contenir que a-z, 0-9 et _ (40 au plus)"
        if len(label) > 80:
            return [], f"Ligne {number} : libellé trop long (80 caractères au plus)"
        if any(c.code == code for c in codes):
            return [], f"Ligne {number} : le code « {code} » est déjà dans la liste"
        codes.append(Code(code=code, label=label))
    if not codes:
        return [], "Au moins une ligne « code = Libellé »"
    if len(codes) > 30:
        return [], "30 lignes au plus"
    return codes, ""


@dataclass
class TelephonyForm:
    pause_reasons: str = ""
    qualifications: str = ""
    numbers: dict[str, int] = field(default_factory=dict)
    strategy: str = "longest_idle"
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, settings: HotlineSettings) -> TelephonyForm:
        return cls(
            pause_reasons=codes_text(settings.pause_reasons),
            qualifications=codes_text(settings.qualifications),
            numbers={name: int(getattr(settings, name)) for name in NUMBERS},
            strategy=settings.strategy,
        )

    def checked(self) -> HotlineSettings | None:
        """The settings to save; None with ``errors`` filled (field → French message)."""
        self.errors = {}
        lists: dict[str, list[Code]] = {}
        for name, text in (("pause_reasons", self.pause_reasons), ("qualifications", self.qualifications)):
            codes, message = parse_codes(text)
            if message:
                self.errors[name] = message
            lists[name] = codes
        for name, (label, low, high) in NUMBERS.items():
            value = self.numbers.get(name)
            if value is None or not low <= value <= high:
                self.errors[name] = f"{label} : entre {low} et {high}"
        if self.strategy not in STRATEGIES:
            self.errors["strategy"] = "Choisissez une stratégie de distribution"
        if self.errors:
            return None
        try:
            return HotlineSettings.model_validate({**lists, **self.numbers, "strategy": self.strategy})
        except ValidationError as error:  # a rule of the contract this form does not know
            self.errors["form"] = f"Réglages refusés : {error.errors()[0]['msg']}"
            return None


def unanswered_note(codes: list[Code]) -> str:
    """The server keeps « Appels non répondus » in the pause reasons whatever the list says."""
    if any(c.code == UNANSWERED_PAUSE for c in codes):
        return ""
    return "« unanswered = Appels non répondus » sera ajouté par le serveur (pause posée automatiquement)."
