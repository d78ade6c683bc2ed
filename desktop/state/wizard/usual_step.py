"""Step 4, « Professionnels habituels »: one professional per slot, picked in the directory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop.state.form_errors import FieldErrors
from shared.domain import USUAL_PROFESSIONAL_SLOTS
from shared.schemas.directory import DirectoryProfessional
from shared.schemas.patients import PatientOut, UsualProfessionalIn

MIN_LETTERS = 3


def _letters(text: str) -> int:
    return sum(char.isalpha() for char in text)


@dataclass(slots=True)
class UsualProfessionalsStep:
    # profession code of the slot → {"rpps", "last_name", "first_name", "registered"}
    chosen: dict[str, dict[str, Any]] = field(default_factory=dict)
    loaded: dict[str, str] = field(default_factory=dict)  # slot → rpps, as read from the server
    search_profession: str = "10"
    search_last_name: str = ""
    search_first_name: str = ""
    results: list[dict[str, Any]] = field(default_factory=list)  # DirectoryProfessional as JSON
    # professions beyond the five slots kept as they were (never dropped by the wizard)
    others: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_patient(cls, patient: PatientOut) -> UsualProfessionalsStep:
        step = cls()
        for usual in patient.usual_professionals:
            entry = {
                "rpps": usual.rpps,
                "last_name": usual.last_name or "",
                "first_name": usual.first_name or "",
                "registered": usual.registered,
            }
            if usual.profession_code in USUAL_PROFESSIONAL_SLOTS and usual.profession_code not in step.chosen:
                step.chosen[usual.profession_code] = entry
                step.loaded[usual.profession_code] = usual.rpps
            else:
                step.others.append({"profession_code": usual.profession_code, **entry})
        return step

    def search_errors(self) -> FieldErrors:
        if self.search_profession not in USUAL_PROFESSIONAL_SLOTS:
            return {"search_profession": "Choisissez une profession"}
        if max(_letters(self.search_last_name), _letters(self.search_first_name)) < MIN_LETTERS:
            return {"search_last_name": "Saisissez au moins 3 lettres du nom ou du prénom"}
        return {}

    def search_query(self) -> dict[str, str]:
        """Parameters of ``GET /directory/professionals``; call only when ``search_errors`` is empty."""
        query = {"profession": self.search_profession}
        if self.search_last_name.strip():
            query["last_name"] = self.search_last_name.strip()
        if self.search_first_name.strip():
            query["first_name"] = self.search_first_name.strip()
        return query

    def set_results(self, items: list[DirectoryProfessional]) -> None:
        self.results = [item.model_dump(mode="json") for item in items]

    def add(self, rpps: str) -> None:
        """« Ajouter »: the professional picked in the results fills the slot of the search."""
        found = next((item for item in self.results if item["rpps"] == rpps), None)
        if found is None:
            raise KeyError(rpps)
        self.chosen[self.search_profession] = {
            "rpps": found["rpps"],
            "last_name": found["last_name"],
            "first_name": found["first_name"] or "",
            "registered": found["registered"],
        }

    def remove(self, profession_code: str) -> None:
        self.chosen.pop(profession_code, None)

    def slots(self) -> list[tuple[str, str, dict[str, Any] | None]]:
        """(code, « Médecin traitant », chosen or None), in the tutorial's order."""
        return [(code, label, self.chosen.get(code)) for code, label in USUAL_PROFESSIONAL_SLOTS.items()]

    def changed(self) -> bool:
        return {code: entry["rpps"] for code, entry in self.chosen.items()} != self.loaded

    def body(self) -> list[UsualProfessionalIn]:
        items = [
            UsualProfessionalIn(profession_code=code, rpps=entry["rpps"])
            for code, entry in self.chosen.items()
        ]
        items += [
            UsualProfessionalIn(profession_code=other["profession_code"], rpps=other["rpps"])
            for other in self.others
        ]
        return items
