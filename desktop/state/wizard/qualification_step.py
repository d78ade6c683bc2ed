"""Step 5, « Qualification »: one form per prescription; « + Plus » adds one, « Déclencher » sends all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, time
from typing import Any

from desktop.state.form_errors import REQUIRED, FieldErrors, parse_date, validate_model
from shared.domain import INTERVENANTS, PROFESSIONS, CareMode
from shared.schemas.admin import NetworkOut
from shared.schemas.dispatch import INTERVENTION_TIME_ZONES, MAX_PRESCRIPTIONS_PER_CASE, PrescriptionCreate
from shared.validation import ValidationFailure

DEFAULT_TZ = "Europe/Paris"
# Choices the UI offers (minutes → label); any other positive number of minutes is accepted too.
RESPONSE_DELAYS = {
    10: "10 minutes",
    30: "30 minutes",
    60: "1 heure",
    120: "2 heures",
    240: "4 heures",
    720: "12 heures",
    1440: "24 heures",
}
INTERVENTION_DELAYS = {
    0: "Immédiat",
    30: "30 minutes",
    60: "1 heure",
    120: "2 heures",
    240: "4 heures",
    1440: "24 heures",
    2880: "48 heures",
}
TZ_LABELS = {
    "Europe/Paris": "Paris",
    "America/Martinique": "Martinique",
    "America/Guadeloupe": "Guadeloupe",
    "America/Cayenne": "Guyane",
    "Indian/Reunion": "La Réunion",
    "Indian/Mayotte": "Mayotte",
}
NO_RESTRICTION = "Aucune restriction"
BOTH = "Indiquez une date d'intervention OU un délai d'intervention, pas les deux"
NEITHER = "Indiquez une date d'intervention ou un délai d'intervention"
TOO_MANY = f"Au plus {MAX_PRESCRIPTIONS_PER_CASE} déclenchements par fiche"


def network_choices(
    networks: Iterable[NetworkOut], member_of: Iterable[int], *, keep: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """« Restreindre au réseau »: (value, label), « Aucune restriction » first, then the networks the
    user belongs to by name. A value already chosen (``keep``: a draft, another user's network) stays
    offered as « Réseau n° N » so that nothing typed is lost."""
    mine = set(member_of)
    choices = [("", NO_RESTRICTION)]
    by_name = sorted(networks, key=lambda n: n.name.casefold())
    choices += [(str(n.id), n.name) for n in by_name if n.id in mine]
    offered = {value for value, _label in choices}
    kept = [value for value in dict.fromkeys(keep) if value and value not in offered]
    choices += [(value, f"Réseau n° {value}") for value in kept]
    return choices


@dataclass(slots=True)
class PrescriptionForm:
    profession_code: str = ""  # « Intervenant »
    network_id: str = ""  # « Restreindre au réseau »: empty = not restricted
    care_type: str = ""  # « Soins »
    care_mode: str = ""  # « Type PeC »
    intervention_date: str = ""  # JJ/MM/AAAA
    intervention_time: str = ""  # HH:MM, optional (00:00: « à partir du »)
    intervention_tz: str = DEFAULT_TZ  # « Fuseau »
    intervention_delay_minutes: str = ""  # « OU Délai d'inter »
    days: str = "1"
    visits_per_day: str = "1"
    response_delay_minutes: str = ""
    comment: str = ""

    def _number(self, name: str, errors: FieldErrors, prefix: str) -> int | None:
        text = getattr(self, name).strip()
        if not text:
            return None
        if not text.isdigit():
            errors.setdefault(prefix + name, "Nombre entier attendu")
            return None
        return int(text)

    def _count(self, name: str, errors: FieldErrors, prefix: str) -> int:
        """Nb jours, passages/j: 1 when left empty."""
        number = self._number(name, errors, prefix)
        return 1 if number is None else number

    def _intervention_at(self, errors: FieldErrors, prefix: str) -> str | None:
        if not self.intervention_date.strip():
            return None
        try:
            day = parse_date(self.intervention_date)
        except ValidationFailure as failure:
            errors.setdefault(prefix + "intervention_date", failure.message)
            return None
        at = time(0, 0)
        if self.intervention_time.strip():
            try:
                at = time.fromisoformat(self.intervention_time.strip())
            except ValueError:
                errors.setdefault(prefix + "intervention_time", "Heure invalide (format HH:MM)")
        return datetime.combine(day, at).isoformat()

    def validate(self, index: int) -> FieldErrors:
        prefix = f"prescriptions.{index}."
        errors: FieldErrors = {}
        for name in ("profession_code", "care_type", "care_mode", "response_delay_minutes", "comment"):
            if not getattr(self, name).strip():
                errors[prefix + name] = REQUIRED
        if not self.comment.strip():
            errors[prefix + "comment"] = "Le commentaire est obligatoire"
        if self.profession_code and self.profession_code not in PROFESSIONS:
            errors.setdefault(prefix + "profession_code", "Profession inconnue")
        has_date = bool(self.intervention_date.strip())
        has_delay = bool(self.intervention_delay_minutes.strip())
        if has_date and has_delay:
            errors.setdefault(prefix + "intervention_delay_minutes", BOTH)
        elif not has_date and not has_delay:
            errors.setdefault(prefix + "intervention_date", NEITHER)
        if has_date and self.intervention_tz not in INTERVENTION_TIME_ZONES:
            errors.setdefault(prefix + "intervention_tz", "Choisissez le fuseau horaire")
        body = self.body_values(errors, prefix)
        if not any(key.startswith(prefix) for key in errors):
            validate_model(PrescriptionCreate, body, errors, prefix, whole=prefix + "intervention_date")
        return errors

    def body_values(self, errors: FieldErrors, prefix: str) -> dict[str, Any]:
        at = self._intervention_at(errors, prefix)
        delay = self._number("intervention_delay_minutes", errors, prefix)
        network = self._number("network_id", errors, prefix)
        return {
            "profession_code": self.profession_code,
            "care_type": self.care_type.strip(),
            "care_mode": self.care_mode,
            "network_id": network,
            "intervention_at": at,
            "intervention_tz": self.intervention_tz if at is not None else None,
            "intervention_delay_minutes": delay,
            "days": self._count("days", errors, prefix),
            "visits_per_day": self._count("visits_per_day", errors, prefix),
            "response_delay_minutes": self._number("response_delay_minutes", errors, prefix),
            "comment": self.comment,
        }

    def body(self) -> PrescriptionCreate:
        errors: FieldErrors = {}
        values = self.body_values(errors, "")
        if errors:
            raise ValueError(errors)
        return PrescriptionCreate.model_validate(values)

    def summary(self) -> str:
        """« Infirmier(e) - Visite - Délai de réponse : 2 heures » (the collapsed line above « + Plus »)."""
        parts = [INTERVENANTS.get(self.profession_code, "Intervenant non sélectionné")]
        if self.care_mode in {mode.value for mode in CareMode}:
            parts.append(CareMode(self.care_mode).label)
        if self.intervention_date.strip():
            parts.append(f"Date d'intervention : {self.intervention_date.strip()}")
        elif self.intervention_delay_minutes.strip().isdigit():
            minutes = int(self.intervention_delay_minutes)
            parts.append(f"Délai d'intervention : {INTERVENTION_DELAYS.get(minutes, f'{minutes} minutes')}")
        if self.response_delay_minutes.strip().isdigit():
            minutes = int(self.response_delay_minutes)
            parts.append(f"Délai de réponse : {RESPONSE_DELAYS.get(minutes, f'{minutes} minutes')}")
        return " - ".join(parts)


@dataclass(slots=True)
class QualificationStep:
    prescriptions: list[PrescriptionForm] = field(default_factory=lambda: [PrescriptionForm()])

    def add(self) -> int:
        """« + Plus »: a new prescription keeping the timing of the last one (as the tutorial shows)."""
        if len(self.prescriptions) >= MAX_PRESCRIPTIONS_PER_CASE:
            raise ValidationFailure("too_many_prescriptions", TOO_MANY)
        last = self.prescriptions[-1]
        self.prescriptions.append(
            PrescriptionForm(
                intervention_date=last.intervention_date,
                intervention_time=last.intervention_time,
                intervention_tz=last.intervention_tz,
                intervention_delay_minutes=last.intervention_delay_minutes,
                response_delay_minutes=last.response_delay_minutes,
            )
        )
        return len(self.prescriptions) - 1

    def remove(self, index: int) -> None:
        if len(self.prescriptions) == 1:
            raise ValidationFailure("last_prescription", "Une fiche garde au moins un déclenchement")
        del self.prescriptions[index]

    def validate(self) -> FieldErrors:
        errors: FieldErrors = {}
        for index, form in enumerate(self.prescriptions):
            errors.update(form.validate(index))
        return errors

    def bodies(self) -> list[PrescriptionCreate]:
        return [form.body() for form in self.prescriptions]

    def to_json(self) -> list[dict[str, Any]]:
        return [asdict(form) for form in self.prescriptions]
