"""« Professionnels » in the back office: the search criteria as typed (nom, RPPS, profession,
commune, réseau, actifs), checked in French; the rows as shown; the settings form (status, radius,
communes served) turned into the `PUT …/profile` body."""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop.state.back_office.accounts import FormInvalid, network_names, state_label
from shared.domain import PROFESSIONS, Availability
from shared.schemas.admin import ProfessionalOut
from shared.schemas.professional import COMMUNES_MAX, ProfileOut

COLUMNS = ("Nom", "Prénom", "RPPS", "Profession", "Commune", "Statut", "Rayon", "Réseaux", "État")
ACTIVE_CHOICES = {"Tous": None, "Actifs": True, "Désactivés": False}
INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
RADIUS_MAX = 200


@dataclass
class ProfessionalCriteria:
    name: str = ""
    rpps: str = ""
    profession: str = ""  # a TRE_G15 code, or "" for every profession
    commune: str = ""
    network_id: int | None = None
    active: bool | None = None

    def params(self) -> dict[str, str | int]:
        """The query of `GET /admin/professionals`; raises FormInvalid."""
        errors: dict[str, str] = {}
        rpps = self.rpps.replace(" ", "")
        if rpps and (not rpps.isdigit() or len(rpps) > 11):
            errors["RPPS"] = "jusqu'à 11 chiffres"
        if self.profession and self.profession not in PROFESSIONS:
            errors["Profession"] = f"code profession inconnu « {self.profession} »"
        if errors:
            raise FormInvalid(errors)
        params: dict[str, str | int] = {}
        for key, value in (("q", self.name.strip()), ("rpps", rpps), ("commune", self.commune.strip())):
            if value:
                params[key] = value
        if self.profession:
            params["profession"] = self.profession
        if self.network_id is not None:
            params["network_id"] = self.network_id
        if self.active is not None:
            params["active"] = "true" if self.active else "false"
        return params


def commune_label(pro: ProfessionalOut) -> str:
    name = pro.commune_name or ""
    if pro.postal_code:
        name = f"{name} ({pro.postal_code})".strip()
    return name or (pro.commune_insee or "")


@dataclass(frozen=True)
class ProfessionalRow:
    professional: ProfessionalOut
    cells: tuple[str, ...]

    @classmethod
    def of(cls, pro: ProfessionalOut, names: dict[int, str]) -> ProfessionalRow:
        cells = (
            pro.last_name,
            pro.first_name,
            pro.rpps or "",
            pro.profession,
            commune_label(pro),
            pro.availability.label,
            f"{pro.radius_km:g} km",
            network_names(pro.network_ids, names),
            state_label(pro.active),
        )
        return cls(pro, cells)


@dataclass
class SettingsForm:
    """« Modifier le professionnel »: status, radius and communes served (INSEE codes, separated by
    spaces or commas), as the professional's own « Profil Activité » holds them."""

    availability: Availability = Availability.BOTH
    radius_km: str = "10"
    communes: str = ""

    @classmethod
    def of(cls, profile: ProfileOut) -> SettingsForm:
        return cls(profile.availability, f"{profile.radius_km:g}", " ".join(profile.communes))

    def body(self, profile: ProfileOut) -> dict[str, object]:
        """The body of `PUT /admin/professionals/{id}/profile`: only what differs; raises FormInvalid."""
        errors: dict[str, str] = {}
        try:
            radius = float(self.radius_km.replace(",", ".").strip())
        except ValueError:
            radius = -1.0
        if not 0 < radius <= RADIUS_MAX:
            errors["Rayon"] = f"un nombre de kilomètres, plus de 0 et {RADIUS_MAX} au plus"
        codes = [c.upper() for c in re.split(r"[\s,;]+", self.communes.strip()) if c]
        wrong = [c for c in codes if not INSEE.match(c)]
        if wrong:
            errors["Communes desservies"] = f"code INSEE invalide : {', '.join(wrong)}"
        elif len(set(codes)) > COMMUNES_MAX:
            errors["Communes desservies"] = f"{COMMUNES_MAX} au plus"
        if errors:
            raise FormInvalid(errors)
        body: dict[str, object] = {}
        if self.availability is not profile.availability:  # during a pause: « Indisponible »
            body["availability"] = self.availability.value
        if radius != profile.radius_km:
            body["radius_km"] = radius
        if sorted(set(codes)) != sorted(profile.communes):
            body["communes"] = sorted(set(codes))
        return body
